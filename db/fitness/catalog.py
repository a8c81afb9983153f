"""Staff edits of the built-in exercise library (the ``exercises`` rows without an owner),
declared as a :class:`~db.auth.staff.CatalogTable` (docs/admin.md, "Content catalogs").

The columns are checked by the rules users' own exercises are checked by
(:data:`db.fitness.rules.EXERCISE_FIELDS`); a built-in exercise's name is unique among the
built-in ones. ``exercises`` has no active column: a built-in exercise is deleted only while no
workout, set or record refers to it (``InvalidState`` ``in_use`` otherwise).
"""

from __future__ import annotations

from db import metadata
from db.auth.staff import CatalogTable
from db.fitness.rules import EXERCISE_FIELDS

EXERCISES = CatalogTable(
    table=metadata.tables["exercises"],
    resource="Exercise",
    rules=EXERCISE_FIELDS,
    required=("name", "category"),
    scope={"user_id": None},
    fixed={"is_builtin": True},
    unique=("name",),
    active=None,
)

__all__ = ["EXERCISES"]
