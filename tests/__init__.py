"""The test suite, one folder per room of the library (tests/exercises mirrors smarketing/exercises, …)."""
