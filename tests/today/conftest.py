"""Fixtures of the Today tests: the economy tests' ``mutate`` (each operation in its own
request context; the ledger invariants checked after the test for every viewer)."""

from tests.economy.conftest import mutate

__all__ = ["mutate"]
