"""The seeded catalogs the demo data points at, read once per :func:`seeds.demo.seed_demo`
call (a handful of SELECTs, in a deterministic order so the same seed gives the same data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.gamification.achievements import AchievementRule


class DemoCatalogError(RuntimeError):
    """A catalog the demo data needs is not seeded (run ``ignition seed`` first)."""


@dataclass(frozen=True)
class Skill:
    key: str
    stars_per_level: int
    max_level: int


@dataclass(frozen=True)
class Quest:
    id: uuid.UUID
    title: str
    description: str | None
    type: str
    xp_reward: int
    coin_reward: int
    target: int
    target_type: str
    target_config: dict[str, Any]
    skill_key: str | None


@dataclass(frozen=True)
class Item:
    id: uuid.UUID
    key: str
    name: str
    cost_coins: int
    uses_per_purchase: int
    is_consumable: bool = True
    is_active: bool = True
    is_available: bool = True
    is_global: bool = True
    created_by_user_id: uuid.UUID | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None


@dataclass(frozen=True)
class Lesson:
    id: uuid.UUID
    key: str
    title: str
    duration_minutes: int
    xp_reward: int
    coin_reward: int
    skill_key: str | None
    skill_star_reward: int


@dataclass(frozen=True)
class Drill:
    id: uuid.UUID
    key: str
    title: str
    duration_seconds: int
    xp_reward: int
    questions: int


@dataclass(frozen=True)
class Step:
    id: uuid.UUID
    step_order: int
    step_type: str
    options: list[Any]
    action_type: str | None
    action_config: dict[str, Any]


@dataclass(frozen=True)
class Catalog:
    """Everything seeded that the demo references.

    Attributes:
        exercises: built-in exercise name -> id (only the names the demo workouts use).
        items: purchasable market items with unlimited stock, by key.
    """

    skills: dict[str, Skill]
    achievements: list[AchievementRule]
    quests: list[Quest]
    items: dict[str, Item]
    lessons: list[Lesson]
    drills: list[Drill]
    flow_id: uuid.UUID
    steps: list[Step]
    exercises: dict[str, uuid.UUID]

    def quest(self, title: str) -> Quest | None:
        return next((q for q in self.quests if q.title == title), None)


async def load_catalog(conn: AsyncConnection, exercise_names: set[str]) -> Catalog:
    """Read the seeded catalogs.

    Args:
        conn: a connection (any transaction).
        exercise_names: the built-in exercise names to resolve to ids.

    Raises:
        DemoCatalogError: skills, achievements, quests, market items, lessons, drills, the
            active onboarding flow or built-in exercises are missing.
    """
    t = metadata.tables

    async def rows(stmt: sa.Select[Any]) -> list[sa.Row[Any]]:
        return list((await conn.execute(stmt)).all())

    sd = t["skill_definitions"]
    skills = {
        r.key: Skill(r.key, r.stars_per_level, r.max_level)
        for r in await rows(sa.select(sd).order_by(sd.c.sort_order, sd.c.key))
    }
    ad = t["achievement_definitions"]
    achievements = [
        AchievementRule.from_row(r)
        # Deactivated achievements unlock for nobody (db.gamification.achievements).
        for r in await rows(sa.select(ad).where(ad.c.is_active).order_by(ad.c.sort_order, ad.c.key))
    ]
    uq = t["universal_quests"]
    quests = [
        Quest(
            r.id,
            r.title,
            r.description,
            r.type,
            r.xp_reward,
            r.coin_reward,
            r.target,
            r.target_type,
            dict(r.target_config or {}),
            r.skill_key,
        )
        for r in await rows(
            sa.select(uq).where(uq.c.is_active).order_by(uq.c.sort_order, uq.c.title)
        )
    ]
    mi = t["market_items"]
    # Items with limited stock are left out: users are generated independently, so the demo
    # cannot share a stock counter between them. Whether an item is on sale at a purchase's
    # moment is decided by db.market.rules, as the API decides it.
    items = {
        r.key: Item(
            r.id,
            r.key,
            r.name,
            r.cost_coins,
            r.uses_per_purchase,
            is_consumable=r.is_consumable,
            is_active=r.is_active,
            is_available=r.is_available,
            is_global=r.is_global,
            created_by_user_id=r.created_by_user_id,
            available_from=r.available_from,
            available_until=r.available_until,
        )
        for r in await rows(
            sa.select(mi).where(mi.c.total_stock.is_(None)).order_by(mi.c.sort_order, mi.c.key)
        )
    }
    ll = t["learn_lessons"]
    lessons = [
        Lesson(
            r.id,
            r.key,
            r.title,
            r.duration_minutes,
            r.xp_reward,
            r.coin_reward,
            r.skill_key,
            r.skill_star_reward if r.skill_key else 0,
        )
        for r in await rows(sa.select(ll).order_by(ll.c.sort_order, ll.c.key))
    ]
    ld = t["learn_drills"]
    drills = [
        Drill(
            r.id,
            r.key,
            r.title,
            r.duration_seconds,
            r.xp_reward,
            max(1, int((r.config_json or {}).get("questions", 10))),
        )
        for r in await rows(sa.select(ld).order_by(ld.c.sort_order, ld.c.key))
    ]
    of, st = t["onboarding_flows"], t["onboarding_steps"]
    flow_id = (
        await conn.execute(
            sa.select(of.c.id).where(of.c.is_active).order_by(of.c.created_at).limit(1)
        )
    ).scalar()
    steps = (
        [
            Step(
                r.id,
                r.step_order,
                r.step_type,
                list(r.options or []),
                r.action_type,
                dict(r.action_config or {}),
            )
            for r in await rows(
                sa.select(st).where(st.c.flow_id == flow_id).order_by(st.c.step_order)
            )
        ]
        if flow_id is not None
        else []
    )
    ex = t["exercises"]
    exercises = {
        r.name: r.id
        for r in await rows(
            sa.select(ex.c.name, ex.c.id).where(
                ex.c.user_id.is_(None), ex.c.name.in_(sorted(exercise_names))
            )
        )
    }

    missing = [
        name
        for name, present in (
            ("skill_definitions", skills),
            ("achievement_definitions", achievements),
            ("universal_quests", quests),
            ("market_items", items),
            ("learn_lessons", lessons),
            ("learn_drills", drills),
            ("onboarding_steps", steps),
            ("exercises", exercises),
        )
        if not present
    ]
    if missing or flow_id is None:
        raise DemoCatalogError(
            f"catalogs not seeded: {', '.join(missing) or 'onboarding_flows'}; "
            "run `ignition seed` first"
        )
    return Catalog(
        skills=skills,
        achievements=achievements,
        quests=quests,
        items=items,
        lessons=lessons,
        drills=drills,
        flow_id=flow_id,
        steps=steps,
        exercises=exercises,
    )
