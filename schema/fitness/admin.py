"""Staff mutations of the built-in exercise library (``catalog:manage``):
``createBuiltinExercise``, ``updateBuiltinExercise``, ``deleteBuiltinExercise``
(:mod:`db.fitness.catalog`; docs/admin.md, "Content catalogs")."""

from __future__ import annotations

from typing import Annotated

from db.fitness import catalog
from db.fitness.rules import CHOICE, MUSCLE, MUSCLES, STEP, STEPS
from schema.core.catalog import catalog_mutations

EXERCISES_MUTATIONS = catalog_mutations(
    catalog.EXERCISES,
    what="a built-in exercise of the library (no owner)",
    name="BuiltinExercise",
    types={
        "muscle_groups": Annotated[list[str], MUSCLE, MUSCLES],
        "instructions": Annotated[list[str], STEP, STEPS],
        "level": Annotated[str, CHOICE],
        "force": Annotated[str, CHOICE],
        "mechanic": Annotated[str, CHOICE],
    },
)
