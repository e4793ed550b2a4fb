"""Benchmarks at practice scale (`make bench`); not part of the test run."""
