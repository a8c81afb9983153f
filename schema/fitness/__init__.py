"""Fitness: the exercise catalog, workouts, sessions, sets, records, training programs."""

from typing import Any

import sqlalchemy as sa

from schema.core.spec import ExtraFilter, RootField, TableSpec, register


def _muscle(table: sa.Table, muscle: str) -> sa.ColumnElement[bool]:
    return table.c.muscle_groups.contains([muscle.strip().lower()])


def _equipment(table: sa.Table, values: Any) -> sa.ColumnElement[bool]:
    return table.c.equipment.in_(values)


register(
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
            ),
            ExtraFilter(
                "muscle", str, _muscle, "Exercises working this muscle group (e.g. `forearms`)."
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
)
