"""Benchmarks of what users feel (`python bench/run.py`); see run.py."""
