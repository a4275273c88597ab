"""Benchmarks: run `make bench` (or `python -m bench [NAME…]`); results go to bench/RESULTS.md."""
