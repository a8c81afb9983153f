"""Fixtures of the API tests: ``demo``, the shared demo database of the table sweeps."""

from tests.api.demo_db import demo

__all__ = ["demo"]
