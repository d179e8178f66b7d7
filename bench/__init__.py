"""Benchmark suites (one module each, run as `python -m bench.<suite>`)."""
