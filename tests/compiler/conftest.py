"""Fixtures of the compiled-path tests: the shared demo database (``tests/api/demo_db.py``)."""

from tests.api.demo_db import demo

__all__ = ["demo"]
