"""Fixtures of the platform tests: the economy tests' ``mutate`` (each operation in
its own request context; the ledger invariants checked after the test)."""

from tests.economy.conftest import mutate

__all__ = ["mutate"]
