"""Benchmarks of the gateway (DESIGN.md section 6): they print figures and assert nothing about
speed. Run ``python -m bench.run --help``."""
