"""Benchmarks of the gateway (docs/design.md#running-and-testing): they print figures and assert
nothing about speed. Run ``python -m bench.run --help``."""
