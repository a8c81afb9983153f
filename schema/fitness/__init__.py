"""Fitness: the exercise catalog, workouts, sessions, sets, records, training programs."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from schema.core.spec import Domain, ExtraFilter, RootField, TableSpec


def _muscle(table: sa.Table, muscles: Any) -> sa.ColumnElement[bool]:
    return table.c.muscle_groups.contains(muscles)


def _muscle_value(muscle: str) -> list[str]:
    """``muscle_groups @> '["<muscle>"]'``: the JSON list holds the name."""
    return [muscle.strip().lower()]


def _equipment(table: sa.Table, values: Any) -> sa.ColumnElement[bool]:
    return table.c.equipment == sa.any_(values)


DOMAIN = Domain(
    tables=(
        TableSpec(
            "exercises",
            order=("name",),
            search=("name",),
            filters=(
                ExtraFilter(
                    "equipment",
                    list[str],
                    _equipment,
                    "Exercises using one of these pieces of equipment (e.g. `body only`).",
                    ARRAY(sa.Text),
                ),
                ExtraFilter(
                    "muscle",
                    str,
                    _muscle,
                    "Exercises working this muscle group (e.g. `forearms`).",
                    JSONB,
                    _muscle_value,
                ),
            ),
            roots=(
                RootField(
                    "exercises",
                    "The exercise library: the built-in catalog, imported "
                    "exercises and the viewer's own.",
                ),
            ),
        ),
        TableSpec("workout_sessions", order=("-started_at",)),
        TableSpec("personal_records", order=("-achieved_at",)),
    ),
)
