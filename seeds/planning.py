"""Public day-plan templates a producer can apply to a daily plan.

Sources: spec/003 Seed Data Summary (5 plan templates) and section 10 (``user_id`` NULL for
public templates); columns: spec/004 migration 0006.

Shape of ``TEMPLATES`` (natural key ``name`` among the rows with ``user_id IS NULL``):
``{name, description, category, items}``; ``items`` lists ``(title, minutes, kind)`` blocks in
the order of the day, stored as JSONB objects ``{title, minutes, kind}``; ``kind`` is one of
``focus`` (a focus session), ``break``, ``learn`` (a lesson or drill), ``workout``, ``listen``
(critical listening / references), ``reading`` and ``admin`` (email, uploads, release chores).
The seed writes ``user_id`` NULL and ``is_public`` true, and never touches ``use_count`` (live
state).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "name": "Beat-making day",
        "description": "Three creative blocks to start and develop ideas, no mixing allowed.",
        "category": "creative",
        "items": [
            ("Ear gym: 20 drill questions", 10, "learn"),
            ("Start three 8-bar ideas, 15 minutes each", 45, "focus"),
            ("Walk, no headphones", 15, "break"),
            ("Pick the best idea and build the drums", 50, "focus"),
            ("Lunch away from the desk", 45, "break"),
            ("Bass and chords for the chosen idea", 50, "focus"),
            ("Bounce a rough and write the next action", 10, "admin"),
        ],
    },
    {
        "name": "Mixdown session",
        "description": "Fresh-ears mixing with references and real breaks between passes.",
        "category": "mixing",
        "items": [
            ("Load references, level-match them", 10, "listen"),
            ("Gain staging and static balance", 50, "focus"),
            ("Silence: rest your ears", 15, "break"),
            ("EQ and compression on drums and bass", 50, "focus"),
            ("Silence: rest your ears", 15, "break"),
            ("Vocals / lead, space and automation", 50, "focus"),
            ("Listen on phone, car or headphones; take notes", 20, "listen"),
        ],
    },
    {
        "name": "Deep work + gym",
        "description": "Two long focus blocks bracketing a workout, for steady energy all day.",
        "category": "balanced",
        "items": [
            ("Plan the day's single outcome", 10, "admin"),
            ("Deep work block 1", 90, "focus"),
            ("Break and snack", 20, "break"),
            ("Strength workout", 60, "workout"),
            ("Lunch", 45, "break"),
            ("Deep work block 2", 90, "focus"),
            ("Read before bed", 20, "reading"),
        ],
    },
    {
        "name": "Sound design exploration",
        "description": "Make your own sounds from initialised patches and save them as a kit.",
        "category": "sound_design",
        "items": [
            ("Lesson: subtractive synthesis basics", 12, "learn"),
            ("Five plucks from an init patch", 45, "focus"),
            ("Break", 10, "break"),
            ("Design a kick and a snare from scratch", 45, "focus"),
            ("Break", 10, "break"),
            ("Resample and mangle: one texture or riser", 45, "focus"),
            ("Name, tag and back up the new sounds", 15, "admin"),
        ],
    },
    {
        "name": "Release prep",
        "description": "Everything between a finished master and a release day.",
        "category": "release",
        "items": [
            ("Final listen of the master on three systems", 30, "listen"),
            ("Export masters, stems and instrumental; check loudness", 40, "focus"),
            ("Break", 10, "break"),
            ("Metadata, credits, ISRC and distributor upload", 45, "admin"),
            ("Artwork and three short clips for socials", 60, "focus"),
            ("Pitch to playlists, labels and blogs", 45, "admin"),
            ("Archive the project with a backup copy", 15, "admin"),
        ],
    },
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
            "items": [
                {"title": title, "minutes": minutes, "kind": kind}
                for title, minutes, kind in t["items"]
            ],
            "user_id": None,
            "is_public": True,
        }
        for t in TEMPLATES
    ]


async def seed(conn: AsyncConnection) -> int:
    """Upsert the public templates by name; returns rows changed (0 on a second run)."""
    return await upsert(conn, "plan_templates", template_rows(), key=["name"], where=BUILT_IN)


COUNTS: dict[str, int] = {"plan_templates": len(TEMPLATES)}
