"""The built-in exercise catalog, written for Ignition (not taken from any external data set).

A producer spends hours seated at a DAW with the hands on a keyboard, mouse, controller or
fader bank and the eyes on one or two monitors. The catalog therefore leans on what that body
needs (wrist and hand care, neck and upper-back posture, hip and thoracic mobility, calf work
at a standing desk, breathing to come down after a session) and completes it with general
strength, cardio and plyometric work.

Every entry uses the muscle and equipment vocabulary of free-exercise-db (so that built-in and
imported rows can be filtered together) and the categories of :data:`CATEGORIES`, which add
``posture``, ``wrist_and_hand``, ``mobility`` and ``breathing`` to free-exercise-db's own.

The entries are data: ``seeds/data/exercises/catalog.json``, one object per exercise,
validated on import by :class:`CatalogExercise` (:mod:`seeds.load`).

The rows are written to the ``exercises`` table by :func:`seeds.exercises.seed`; the names are
unique and none of them collides with a name of free-exercise-db, so importing that file never
overwrites a catalog row.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from db.fitness.rules import EXERCISE_FORCES, EXERCISE_LEVELS, EXERCISE_MECHANICS
from seeds.load import Entry, load_entries

#: Categories used by the catalog.
CATEGORIES: frozenset[str] = frozenset(
    {
        "strength",
        "mobility",
        "stretching",
        "cardio",
        "plyometrics",
        "posture",
        "wrist_and_hand",
        "breathing",
    }
)

#: Muscle vocabulary shared with free-exercise-db.
MUSCLES: frozenset[str] = frozenset(
    {
        "abdominals",
        "abductors",
        "adductors",
        "biceps",
        "calves",
        "chest",
        "forearms",
        "glutes",
        "hamstrings",
        "lats",
        "lower back",
        "middle back",
        "neck",
        "quadriceps",
        "shoulders",
        "traps",
        "triceps",
    }
)

#: Equipment vocabulary (a subset of free-exercise-db's; ``None`` means nothing at all).
EQUIPMENT: frozenset[str] = frozenset(
    {
        "body only",
        "dumbbell",
        "kettlebells",
        "bands",
        "cable",
        "barbell",
        "machine",
        "foam roll",
        "exercise ball",
        "other",
    }
)

#: Levels, forces and mechanics: the vocabulary users' own exercises are checked against too.
LEVELS: frozenset[str] = EXERCISE_LEVELS
FORCES: frozenset[str] = EXERCISE_FORCES
MECHANICS: frozenset[str] = EXERCISE_MECHANICS


class CatalogExercise(Entry):
    """One built-in exercise.

    ``muscle_groups`` lists the primary muscles first, without repeats; ``instructions`` holds
    2-5 short steps; every vocabulary field takes a value of the sets above.
    """

    name: str = Field(min_length=1)
    category: str
    muscle_groups: tuple[str, ...] = Field(min_length=1, strict=False)
    equipment: str | None
    level: str
    description: str = Field(min_length=40)
    instructions: tuple[str, ...] = Field(min_length=2, max_length=5, strict=False)
    force: str | None = None
    mechanic: str | None = None

    @model_validator(mode="after")
    def _vocabularies(self) -> CatalogExercise:
        problems = _vocabulary_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def as_row(self) -> dict[str, Any]:
        """The ``exercises`` columns of this entry (JSONB columns as lists)."""
        return {
            "name": self.name,
            "category": self.category,
            "muscle_groups": list(self.muscle_groups),
            "equipment": self.equipment,
            "level": self.level,
            "force": self.force,
            "mechanic": self.mechanic,
            "description": self.description,
            "instructions": list(self.instructions),
        }


def _vocabulary_problems(e: CatalogExercise) -> list[str]:
    """The values of ``e`` outside the vocabularies (empty when it is consistent)."""
    problems: list[str] = []
    if e.category not in CATEGORIES:
        problems.append(f"unknown category {e.category!r}")
    problems += [f"unknown muscle {m!r}" for m in e.muscle_groups if m not in MUSCLES]
    if len(set(e.muscle_groups)) != len(e.muscle_groups):
        problems.append("repeated muscle")
    if e.equipment is not None and e.equipment not in EQUIPMENT:
        problems.append(f"unknown equipment {e.equipment!r}")
    if e.level not in LEVELS:
        problems.append(f"unknown level {e.level!r}")
    if e.force is not None and e.force not in FORCES:
        problems.append(f"unknown force {e.force!r}")
    if e.mechanic is not None and e.mechanic not in MECHANICS:
        problems.append(f"unknown mechanic {e.mechanic!r}")
    return problems


#: The whole built-in catalog, in file order (grouped by category).
EXERCISES: tuple[CatalogExercise, ...] = load_entries(
    "exercises/catalog.json", CatalogExercise, key="name"
)


def validate_catalog(entries: tuple[CatalogExercise, ...] = EXERCISES) -> list[str]:
    """Return the problems found in ``entries`` (empty when the catalog is consistent).

    Each entry is checked when it is built (vocabularies, a description of at least 40
    characters, 2-5 instructions, at least one muscle); this adds what spans entries: names
    unique regardless of case.
    """
    problems: list[str] = []
    seen: set[str] = set()
    for e in entries:
        key = e.name.casefold()
        if key in seen:
            problems.append(f"{e.name}: duplicate name")
        seen.add(key)
        problems += [f"{e.name}: {p}" for p in _vocabulary_problems(e)]
    return problems


__all__ = ["CATEGORIES", "EQUIPMENT", "EXERCISES", "MUSCLES", "CatalogExercise", "validate_catalog"]
