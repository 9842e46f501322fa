"""Tests of smarketing.datasets, one file per room: company, store, availability, generator."""
