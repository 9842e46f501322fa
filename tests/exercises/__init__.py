"""Tests of smarketing.exercises: the checking core, its verifiers, and one file per assignment."""
