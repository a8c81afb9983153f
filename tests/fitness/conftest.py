"""Fixtures of the fitness tests: the economy tests' ``mutate`` (a request per operation, the
ledger invariants checked after the test for every viewer)."""

from tests.economy.conftest import mutate

__all__ = ["mutate"]
