"""What the content-catalog staff tests and the matrix examples share: the GraphQL documents
of the generated mutations, fresh valid inputs for each catalog, and rows made directly."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.staff import CatalogTable
from db.fields import clean
from db.fitness.catalog import EXERCISES
from db.learn.catalog import DRILLS, LESSONS, TOPICS
from db.listening.catalog import PRESETS, TEMPLATES
from db.planning.catalog import PLAN_TEMPLATES
from db.platform.catalog import INFOBASE, ONBOARDING_FLOWS, ONBOARDING_STEPS
from tests.support.writes import errors

#: The catalogs: mutation stem -> (payload field, retire verb).
CATALOGS: dict[str, tuple[str, str]] = {
    "LearnTopic": ("learnTopic", "delete"),
    "LearnLesson": ("learnLesson", "delete"),
    "LearnDrill": ("learnDrill", "delete"),
    "BuiltinExercise": ("exercise", "delete"),
    "BuiltinInfobaseEntry": ("infobaseEntry", "delete"),
    "BuiltinPlanTemplate": ("planTemplate", "delete"),
    "ListeningPromptTemplate": ("listeningPromptTemplate", "deactivate"),
    "ListeningPromptPreset": ("listeningPromptPreset", "deactivate"),
    "OnboardingFlow": ("onboardingFlow", "deactivate"),
    "OnboardingStep": ("onboardingStep", "delete"),
}


#: A text field of each catalog that an update may change.
TEXT_FIELDS: dict[str, str] = {
    **{stem: "description" for stem in CATALOGS},
    "LearnTopic": "name",
    "BuiltinInfobaseEntry": "content",
}

#: The declaration of each catalog.
DECLARATIONS: dict[str, CatalogTable] = {
    "LearnTopic": TOPICS,
    "LearnLesson": LESSONS,
    "LearnDrill": DRILLS,
    "BuiltinExercise": EXERCISES,
    "BuiltinInfobaseEntry": INFOBASE,
    "BuiltinPlanTemplate": PLAN_TEMPLATES,
    "ListeningPromptTemplate": TEMPLATES,
    "ListeningPromptPreset": PRESETS,
    "OnboardingFlow": ONBOARDING_FLOWS,
    "OnboardingStep": ONBOARDING_STEPS,
}


def create_doc(stem: str) -> str:
    """``create<stem>(input:)``, selecting the row's id and the typed errors."""
    payload, _ = CATALOGS[stem]
    return (
        f"mutation($input: Create{stem}Input!) {{ create{stem}(input: $input) {{ __typename "
        f"... on Create{stem}Success {{ {payload} {{ id }} }} {errors('InvalidInput')} }} }}"
    )


def update_doc(stem: str) -> str:
    """``update<stem>(id:, input:)``."""
    payload, _ = CATALOGS[stem]
    return (
        f"mutation($id: ID!, $input: Update{stem}Input!) {{ update{stem}(id: $id, input: "
        f"$input) {{ __typename ... on Update{stem}Success {{ {payload} {{ id }} }} "
        f"{errors('InvalidInput', 'NotFound')} }} }}"
    )


def retire_doc(stem: str) -> str:
    """``deactivate<stem>(id:)`` or ``delete<stem>(id:)``."""
    payload, verb = CATALOGS[stem]
    name = f"{verb}{stem}"
    success = f"{verb[:1].upper()}{verb[1:]}{stem}Success"
    return (
        f"mutation($id: ID!) {{ {name}(id: $id) {{ __typename ... on {success} "
        f"{{ {payload} {{ id }} deleted }} {errors('InvalidState', 'NotFound')} }} }}"
    )


def unique() -> str:
    """A fresh suffix for keys and names."""
    return uuid.uuid4().hex[:10]


async def first_id(engine: AsyncEngine, table: str, where: str = "true") -> uuid.UUID:
    """The id of one committed row of ``table`` (the seeded catalogs)."""
    async with engine.connect() as conn:
        value = (
            await conn.execute(sa.text(f"SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT 1"))
        ).scalar_one()
    return uuid.UUID(str(value))


QUIZ = [{"question": "How many semitones in a fifth?", "options": ["5", "7"], "answer_index": 1}]
INTERVAL_CONFIG = {"intervals": ["M3", "P5"], "direction": "ascending", "questions": 10}


async def valid_input(engine: AsyncEngine, stem: str) -> dict[str, Any]:
    """A valid create input of the catalog ``stem``, with fresh names (the rows it names, a
    topic or a flow, are seeded ones)."""
    s = unique()
    if stem == "LearnTopic":
        return {"key": f"topic_{s}", "name": f"Topic {s}", "category": "theory"}
    if stem in ("LearnLesson", "LearnDrill"):
        topic = str(await first_id(engine, "learn_topics"))
        if stem == "LearnLesson":
            return {
                "topicId": topic,
                "key": f"lesson_{s}",
                "title": f"Lesson {s}",
                "quizJson": QUIZ,
            }
        return {
            "topicId": topic,
            "key": f"drill_{s}",
            "title": f"Drill {s}",
            "drillType": "INTERVAL",
            "configJson": INTERVAL_CONFIG,
        }
    if stem == "BuiltinExercise":
        return {"name": f"Press {s}", "category": "strength", "level": "beginner"}
    if stem == "BuiltinInfobaseEntry":
        return {"title": f"Entry {s}", "content": "Gain staging, in short.", "tags": ["mixing"]}
    if stem == "BuiltinPlanTemplate":
        return {"name": f"Day {s}", "items": [{"title": "Warm up", "minutes": 10}]}
    if stem == "ListeningPromptTemplate":
        return {
            "name": f"Prompt {s}",
            "promptText": "Listen to the low end.",
            "hints": ["Quietly."],
        }
    if stem == "ListeningPromptPreset":
        return {"name": f"Preset {s}", "presetType": "LOOP", "config": {"loop_seconds": 20}}
    if stem == "OnboardingFlow":
        return {"name": f"Flow {s}"}
    return {
        "flowId": str(await inactive_flow(engine)),
        "stepOrder": 1,
        "stepType": "CHOICE",
        "title": f"Step {s}",
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
    }


async def inactive_flow(engine: AsyncEngine) -> uuid.UUID:
    """A committed onboarding flow that is not active (steps are added to it)."""
    async with engine.begin() as conn:
        value = (
            await conn.execute(
                sa.text("INSERT INTO onboarding_flows (name) VALUES (:n) RETURNING id"),
                {"n": f"Flow {unique()}"},
            )
        ).scalar_one()
    return uuid.UUID(str(value))


async def make_row(engine: AsyncEngine, stem: str) -> str:
    """A committed row of the catalog ``stem``, inserted directly (not audited) from
    :func:`valid_input` (for the examples that change or retire a row)."""
    catalog = DECLARATIONS[stem]
    given = await valid_input(engine, stem)
    snake = {
        "".join(f"_{c.lower()}" if c.isupper() else c for c in k): v.lower()
        if isinstance(v, str) and v.isupper()
        else v
        for k, v in given.items()
    }
    values = {**catalog.scope, **catalog.fixed, **clean(snake, catalog.rules)}
    async with engine.begin() as conn:
        new = (
            await conn.execute(
                sa.insert(catalog.table).values(**values).returning(catalog.table.c.id)
            )
        ).scalar_one()
    return str(new)


__all__ = [
    "CATALOGS",
    "DECLARATIONS",
    "INTERVAL_CONFIG",
    "QUIZ",
    "TEXT_FIELDS",
    "create_doc",
    "first_id",
    "inactive_flow",
    "make_row",
    "retire_doc",
    "unique",
    "update_doc",
    "valid_input",
]
