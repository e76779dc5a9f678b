"""Benchmarks: commands that print numbers (never timed assertions in tests).

`python -m bench` (or `make bench`) runs them all, each in its own process so peak-memory figures are
not polluted by the others; `python -m bench.<name>` runs one.
"""
