"""Reference data (catalogs) of every domain, written by idempotent upserts by natural key.

Sources: Ignition specification, "Part 7: Seed Data Requirements" (which reference tables need
seeds) and Ignition specification, "Seed Data Summary" (how many rows each catalog had);
docs/design.md#layers (``seeds/``: one module per domain).

The content is data: JSON files (and Markdown bodies) under ``seeds/data/<domain>/``, read and
validated by :mod:`seeds.load` when a domain module is imported. Each domain module is code: it
turns its entries into rows and exposes
``async def seed(conn) -> int`` (rows inserted or changed; 0 when already up to date) and
``COUNTS`` (table -> rows it seeds). :func:`seed_all` runs them in foreign-key order inside the
caller's transaction. Running it twice changes nothing.

A seed inserts the rows whose natural key is missing and leaves existing rows alone (admins
edit catalog rows; stock is sold; flags are switched): reseeding at startup never overwrites
those edits. The one exception is the entitlements catalog, which the code defines. See
:mod:`seeds.upsert` and docs/decisions.md ("Seeds").
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from seeds import (
    auth,
    exercises,
    gamification,
    learn,
    listening,
    market,
    planning,
    platform,
    quests,
)

#: (name, module) in foreign-key order: roles before anything, skills before quests and lessons
#: (``skill_key`` references ``skill_definitions.key``), topics before lessons and drills.
DOMAINS = (
    ("auth", auth),
    ("gamification", gamification),
    ("quests", quests),
    ("market", market),
    ("learn", learn),
    ("listening", listening),
    ("planning", planning),
    ("platform", platform),
    ("exercises", exercises),
)

#: Table -> number of rows the catalog modules seed (exercises excluded: ``seeds.exercises``
#: loads its own data file). Tests compare these with the database after :func:`seed_all`.
CATALOG_COUNTS: dict[str, int] = {
    table: count
    for _name, module in DOMAINS
    for table, count in getattr(module, "COUNTS", {}).items()
}


async def seed_all(conn: AsyncConnection) -> dict[str, int]:
    """Seed every catalog in foreign-key order inside the caller's transaction.

    Returns:
        Domain name -> rows inserted or changed, e.g. ``{"auth": 21, "gamification": 22, ...,
        "exercises": 873}`` on an empty database and all zeros on a second run.
    """
    return {name: await module.seed(conn) for name, module in DOMAINS}


def expected_counts() -> dict[str, int]:
    """A copy of :data:`CATALOG_COUNTS` (table -> seeded rows)."""
    return dict(CATALOG_COUNTS)


__all__ = ["CATALOG_COUNTS", "DOMAINS", "expected_counts", "seed_all"]
