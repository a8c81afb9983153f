"""Fixtures of the staff tests through the real server: the live-event tests' migrated,
seeded database of its own, an engine on it and one gateway process (tests/e2e/conftest.py),
shared here rather than written twice."""

from tests.e2e.conftest import admin, gateway, live_database, live_engine, log_dir

__all__ = ["admin", "gateway", "live_database", "live_engine", "log_dir"]
