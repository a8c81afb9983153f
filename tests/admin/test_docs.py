"""docs/admin.md states the entitlement table as the declarations and the seed data make it
(tests/admin/table.py)."""

from __future__ import annotations

from pathlib import Path

from tests.admin.table import entitlement_table

PAGE = Path(__file__).resolve().parents[2] / "docs" / "admin.md"


def test_the_entitlement_table_is_current() -> None:
    assert entitlement_table() in PAGE.read_text(), (
        "docs/admin.md: regenerate the table with `PYTHONPATH=. python -m tests.admin.table`"
    )
