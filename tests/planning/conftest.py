"""The planning tests run mutations as requests do, with the economy tests' ``mutate`` fixture
(the ledger invariants are checked after each test for every viewer it acted as)."""

from tests.economy.conftest import mutate

__all__ = ["mutate"]
