"""Tests of the course as learners meet it: the stored notebooks, their text, the seed coverage map, and the pages in a real browser."""
