"""Public day-plan templates a producer can apply to a daily plan.

Sources: Ignition specification, "Seed Data Summary" (5 plan templates) and
"Section 10: Planning Tables" (``user_id`` NULL for public templates); columns:
Ignition specification, "Migration 0006: Planning Substrate".

Data: ``seeds/data/planning/templates.json`` (validated on import, :mod:`seeds.load`).
Shape of ``TEMPLATES`` (natural key ``name`` among the rows with ``user_id IS NULL``):
``{name, description, category, items}``; ``items`` lists ``{title, minutes, kind}`` blocks in
the order of the day, stored as they are in JSONB; ``kind`` is one of
``focus`` (a focus session), ``break``, ``learn`` (a lesson or drill), ``workout``, ``listen``
(critical listening / references), ``reading`` and ``admin`` (email, uploads, release chores).
The seed writes ``user_id`` NULL and ``is_public`` true, and never touches ``use_count`` (live
state).
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from seeds.load import Entry, as_dicts, load_entries
from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/planning/templates.json
# --------------------------------------------------------------------------------------------


class Block(Entry):
    """One block of a day plan: ``title``, ``minutes`` (> 0) and ``kind``."""

    title: str
    minutes: int = Field(gt=0)
    kind: Literal["focus", "break", "learn", "workout", "listen", "reading", "admin"]


class Template(Entry):
    """One public plan template (natural key ``name``), its blocks in the order of the day."""

    name: str
    description: str
    category: str
    items: list[Block] = Field(min_length=1)


TEMPLATES: tuple[dict[str, Any], ...] = as_dicts(
    load_entries("planning/templates.json", Template, key="name")
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------

#: Built-in rows: the predicate of the partial unique index on ``plan_templates (name)``.
BUILT_IN: sa.ColumnElement[bool] = sa.column("user_id").is_(None)


def template_rows() -> list[dict[str, Any]]:
    """The ``plan_templates`` rows (public, owned by nobody)."""
    return [
        {
            **t,
            "user_id": None,
            "is_public": True,
        }
        for t in TEMPLATES
    ]


async def seed(conn: AsyncConnection) -> int:
    """Upsert the public templates by name; returns rows changed (0 on a second run)."""
    return await upsert(conn, "plan_templates", template_rows(), key=["name"], where=BUILT_IN)


COUNTS: dict[str, int] = {"plan_templates": len(TEMPLATES)}
