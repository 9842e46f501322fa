"""Tests of smarketing.grading, one file per room, with fixture notebooks in files/."""
