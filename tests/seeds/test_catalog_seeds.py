"""The reference-data seeds (``seeds.seed_all``): counts, idempotency and integrity.

Expected content: Ignition specification, "Part 7: Seed Data Requirements" and
Ignition specification, "Seed Data Summary". The ``seeded`` fixture is a connection, inside a
transaction rolled back after each test, to a database of this module's own, migrated and
never touched by another test (the shared test database also holds the catalog rows that the
staff tests create), on which ``seed_all`` has run: the state the seeds give a fresh install.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import seeds
from db.gamification.models import AchievementTriggerType, SkillCategory
from db.learn.models import DrillType
from gateway.bootstrap import migrate
from gateway.database import create_engine
from seeds import auth, gamification, learn, listening, market, planning, platform, quests

if TYPE_CHECKING:
    from tests.conftest import PostgresServer


async def _scalar(conn: AsyncConnection, sql: str, **params: Any) -> Any:
    return (await conn.execute(sa.text(sql), params)).scalar_one()


async def _rows(conn: AsyncConnection, sql: str, **params: Any) -> list[sa.Row[Any]]:
    return list((await conn.execute(sa.text(sql), params)).all())


@pytest.fixture(scope="module")
async def fresh_engine(postgres_server: PostgresServer) -> AsyncIterator[AsyncEngine]:
    url = await postgres_server.create_database("ignition_seeds")
    await migrate(url, "head")
    engine = create_engine(url)
    yield engine
    await engine.dispose()
    await postgres_server.drop_database(url)


@pytest.fixture
async def seeded(fresh_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with fresh_engine.connect() as conn:
        transaction = await conn.begin()
        try:
            await seeds.seed_all(conn)
            yield conn
        finally:
            await transaction.rollback()


# --------------------------------------------------------------------------------------------
# Content checks that need no database
# --------------------------------------------------------------------------------------------


def test_catalog_counts_cover_every_catalog_table() -> None:
    counts = seeds.expected_counts()
    assert counts == seeds.CATALOG_COUNTS
    assert counts["skill_definitions"] == 6
    assert counts["onboarding_steps"] == 10
    assert counts["roles"] == 4
    assert counts["learn_topics"] == 6
    assert counts["plan_templates"] == 5
    assert counts["infobase_entries"] == 5
    assert counts["achievement_definitions"] >= 7
    assert counts["universal_quests"] >= 13
    assert counts["market_items"] >= 6
    assert counts["learn_lessons"] >= 7
    assert counts["learn_drills"] >= 7
    assert counts["listening_prompt_templates"] >= 6
    assert counts["listening_prompt_presets"] >= 4


def test_natural_keys_are_unique_in_the_content() -> None:
    def unique(values: list[Any]) -> bool:
        return len(values) == len(set(values))

    assert unique([r["name"] for r in auth.ROLES])
    assert unique([e["name"] for e in auth.ENTITLEMENTS])
    assert unique([(e["resource"], e["action"]) for e in auth.ENTITLEMENTS])
    assert unique([s["key"] for s in gamification.SKILLS])
    assert unique([a["key"] for a in gamification.ACHIEVEMENTS])
    assert unique([q["title"] for q in quests.QUESTS])
    assert unique([i["key"] for i in market.ITEMS])
    assert unique([t["key"] for t in learn.TOPICS])
    assert unique([lesson["key"] for lesson in learn.LESSONS])
    assert unique([d["key"] for d in learn.DRILLS])
    assert unique([t["name"] for t in listening.TEMPLATES])
    assert unique([p["name"] for p in listening.PRESETS])
    assert unique([t["name"] for t in planning.TEMPLATES])
    assert unique([e["title"] for e in platform.INFOBASE])
    assert unique([f["flag_name"] for f in platform.FEATURE_FLAGS])


def test_lessons_teach_and_quiz() -> None:
    for lesson in learn.LESSONS:
        words = len(re.findall(r"[A-Za-z0-9']+", lesson["content_markdown"]))
        assert 150 <= words <= 420, (lesson["key"], words)
        assert 2 <= len(lesson["quiz"]) <= 3, lesson["key"]
        for question in lesson["quiz"]:
            assert set(question) == {"question", "options", "answer_index"}
            assert 0 <= question["answer_index"] < len(question["options"])
            assert len(set(question["options"])) == len(question["options"])


def test_plan_template_items_have_title_minutes_kind() -> None:
    for template in planning.template_rows():
        assert template["items"], template["name"]
        for item in template["items"]:
            assert set(item) == {"title", "minutes", "kind"}
            assert isinstance(item["minutes"], int) and item["minutes"] > 0


# --------------------------------------------------------------------------------------------
# Seeding a database
# --------------------------------------------------------------------------------------------


async def test_seed_all_is_idempotent(db_conn: AsyncConnection) -> None:
    first = await seeds.seed_all(db_conn)
    assert list(first) == [name for name, _module in seeds.DOMAINS]
    assert all(count >= 0 for count in first.values())
    second = await seeds.seed_all(db_conn)
    assert second == dict.fromkeys(first, 0)


async def test_every_seeded_row_is_present(seeded: AsyncConnection) -> None:
    natural_keys: dict[str, tuple[str, list[Any], str]] = {
        "roles": ("name", [r["name"] for r in auth.ROLES], ""),
        "entitlements": ("name", [e["name"] for e in auth.ENTITLEMENTS], ""),
        "skill_definitions": ("key", [s["key"] for s in gamification.SKILLS], ""),
        "achievement_definitions": ("key", [a["key"] for a in gamification.ACHIEVEMENTS], ""),
        "universal_quests": ("title", [q["title"] for q in quests.QUESTS], ""),
        "market_items": ("key", [i["key"] for i in market.ITEMS], ""),
        "learn_topics": ("key", [t["key"] for t in learn.TOPICS], ""),
        "learn_lessons": ("key", [lesson["key"] for lesson in learn.LESSONS], ""),
        "learn_drills": ("key", [d["key"] for d in learn.DRILLS], ""),
        "listening_prompt_templates": ("name", [t["name"] for t in listening.TEMPLATES], ""),
        "listening_prompt_presets": ("name", [p["name"] for p in listening.PRESETS], ""),
        "plan_templates": (
            "name",
            [t["name"] for t in planning.TEMPLATES],
            " AND user_id IS NULL AND is_public",
        ),
        "infobase_entries": (
            "title",
            [e["title"] for e in platform.INFOBASE],
            " AND user_id IS NULL",
        ),
        "feature_flags": ("flag_name", [f["flag_name"] for f in platform.FEATURE_FLAGS], ""),
        "onboarding_flows": ("name", [platform.FLOW["name"]], " AND is_active"),
    }
    for table, (column, values, extra) in natural_keys.items():
        found = await _scalar(
            seeded,
            f"SELECT count(*) FROM {table} WHERE {column} = ANY(:values){extra}",
            values=values,
        )
        assert found == len(values) == seeds.CATALOG_COUNTS[table], table


async def test_table_counts(seeded: AsyncConnection) -> None:
    async def count(sql: str) -> int:
        return int(await _scalar(seeded, sql))

    assert await count("SELECT count(*) FROM skill_definitions") == 6
    assert await count("SELECT count(*) FROM roles") == 4
    assert await count("SELECT count(*) FROM learn_topics") == 6
    assert await count("SELECT count(*) FROM plan_templates WHERE user_id IS NULL") == 5
    assert await count("SELECT count(*) FROM infobase_entries WHERE user_id IS NULL") == 5
    assert await count("SELECT count(*) FROM achievement_definitions") >= 7
    assert await count("SELECT count(*) FROM universal_quests") >= 13
    assert await count("SELECT count(*) FROM market_items") >= 6
    assert await count("SELECT count(*) FROM learn_lessons") >= 7
    assert await count("SELECT count(*) FROM learn_drills") >= 7
    assert await count("SELECT count(*) FROM listening_prompt_templates") >= 6
    assert await count("SELECT count(*) FROM listening_prompt_presets") >= 4


async def test_skills_are_the_six_categories(seeded: AsyncConnection) -> None:
    rows = await _rows(seeded, "SELECT key, category, sort_order FROM skill_definitions")
    assert {r.key for r in rows} == {c.value for c in SkillCategory}
    assert all(r.key == r.category for r in rows)
    assert sorted(r.sort_order for r in rows) == [1, 2, 3, 4, 5, 6]


async def test_onboarding_flow_has_ten_ordered_steps(seeded: AsyncConnection) -> None:
    flow = (
        await _rows(
            seeded,
            "SELECT id, total_steps, is_active FROM onboarding_flows WHERE name = :name",
            name=platform.FLOW["name"],
        )
    )[0]
    assert flow.is_active and flow.total_steps == 10
    steps = await _rows(
        seeded,
        "SELECT step_order, step_type, options, allows_multiple, action_type"
        " FROM onboarding_steps WHERE flow_id = :flow ORDER BY step_order",
        flow=flow.id,
    )
    assert [s.step_order for s in steps] == list(range(1, 11))
    for step in steps:
        if step.step_type in ("choice", "preference"):
            assert isinstance(step.options, list) and len(step.options) >= 2
            assert all({"value", "label"} <= set(o) for o in step.options)
            assert step.action_type in ("save_setting", "save_interests")
        if step.step_type == "action":
            assert step.action_type
    assert {s.step_type for s in steps} == {"explain", "choice", "preference", "tour", "action"}


async def test_achievements_have_valid_triggers(seeded: AsyncConnection) -> None:
    rows = await _rows(
        seeded, "SELECT key, trigger_type, trigger_config, is_hidden FROM achievement_definitions"
    )
    valid = {t.value for t in AchievementTriggerType}
    seeded_keys = {a["key"] for a in gamification.ACHIEVEMENTS}
    for row in rows:
        assert row.trigger_type in valid, row.key
        assert isinstance(row.trigger_config, dict) and row.trigger_config, row.key
        if row.key in seeded_keys:
            threshold = row.trigger_config[gamification.THRESHOLD_KEYS[row.trigger_type]]
            assert isinstance(threshold, int) and threshold > 0, row.key
    assert any(r.is_hidden for r in rows)


async def test_lessons_and_drills_resolve_their_topics(seeded: AsyncConnection) -> None:
    orphans = await _scalar(
        seeded,
        "SELECT count(*) FROM learn_lessons l LEFT JOIN learn_topics t ON t.id = l.topic_id"
        " WHERE t.id IS NULL",
    )
    assert orphans == 0
    lessons = await _rows(
        seeded,
        "SELECT l.key, t.key AS topic FROM learn_lessons l JOIN learn_topics t"
        " ON t.id = l.topic_id",
    )
    by_key = {r.key: r.topic for r in lessons}
    for lesson in learn.LESSONS:
        assert by_key[lesson["key"]] == lesson["topic"]
    drill_types = await _rows(
        seeded,
        "SELECT DISTINCT d.drill_type FROM learn_drills d JOIN learn_topics t ON t.id = d.topic_id",
    )
    assert {r.drill_type for r in drill_types} >= {t.value for t in DrillType}


async def test_presets_point_at_templates(seeded: AsyncConnection) -> None:
    rows = await _rows(
        seeded,
        "SELECT p.name, t.name AS template FROM listening_prompt_presets p"
        " JOIN listening_prompt_templates t ON t.id = p.template_id",
    )
    by_name = {r.name: r.template for r in rows}
    for preset in listening.PRESETS:
        assert by_name[preset["name"]] == preset["template"]


async def test_admin_role_holds_the_admin_entitlements(seeded: AsyncConnection) -> None:
    async def held_by(role: str) -> set[str]:
        rows = await _rows(
            seeded,
            "SELECT e.name FROM roles r JOIN role_entitlements re ON re.role_id = r.id"
            " JOIN entitlements e ON e.id = re.entitlement_id WHERE r.name = :role",
            role=role,
        )
        return {row.name for row in rows}

    admin = await held_by("admin")
    assert set(auth.ADMIN_FIELD_ENTITLEMENTS) <= admin
    assert admin >= {e["name"] for e in auth.ENTITLEMENTS}
    assert "feature_flags:manage" not in await held_by("moderator")
    assert "rows:read_all" not in await held_by("moderator")  # only admins see every row
    assert await held_by("user") == set()
    # The app's sign-in server issues sessions and reads the users it links, nothing more.
    assert await held_by("auth_server") == {"sessions:issue", "users:read"}
    parents = await _rows(
        seeded,
        "SELECT r.name, p.name AS parent FROM roles r LEFT JOIN roles p ON p.id = r.parent_role_id",
    )
    assert {r.name: r.parent for r in parents} == {
        "user": None,
        "moderator": "user",
        "admin": "moderator",
        "auth_server": None,
    }


async def test_quests_reference_skills(seeded: AsyncConnection) -> None:
    rows = await _rows(seeded, "SELECT title, type, skill_key, target FROM universal_quests")
    assert {r.type for r in rows} >= {"daily", "weekly", "monthly", "special"}
    assert sum(r.type == "monthly" for r in rows) >= 2
    assert all(r.skill_key in {c.value for c in SkillCategory} for r in rows)
    assert all(r.target > 0 for r in rows)


async def test_reseeding_keeps_live_state(db_conn: AsyncConnection) -> None:
    """Stock left and flag switches belong to the running system, not to the catalog."""
    await seeds.seed_all(db_conn)
    limited = next(i for i in market.ITEMS if i["total_stock"] is not None)
    flag = platform.FEATURE_FLAGS[0]
    await db_conn.execute(
        sa.text("UPDATE market_items SET remaining_stock = remaining_stock - 1 WHERE key = :k"),
        {"k": limited["key"]},
    )
    await db_conn.execute(
        sa.text("UPDATE feature_flags SET enabled = NOT enabled WHERE flag_name = :f"),
        {"f": flag["flag_name"]},
    )
    await db_conn.execute(
        sa.text("UPDATE plan_templates SET use_count = 7 WHERE user_id IS NULL AND name = :n"),
        {"n": planning.TEMPLATES[0]["name"]},
    )
    assert set((await seeds.seed_all(db_conn)).values()) == {0}
    assert (
        await _scalar(
            db_conn, "SELECT remaining_stock FROM market_items WHERE key = :k", k=limited["key"]
        )
        == limited["total_stock"] - 1
    )
    assert await _scalar(
        db_conn, "SELECT enabled FROM feature_flags WHERE flag_name = :f", f=flag["flag_name"]
    ) is (not flag["enabled"])
    assert (
        await _scalar(
            db_conn,
            "SELECT use_count FROM plan_templates WHERE user_id IS NULL AND name = :n",
            n=planning.TEMPLATES[0]["name"],
        )
        == 7
    )


async def test_reseeding_keeps_admin_edits_and_adds_new_seed_rows(
    db_conn: AsyncConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seeds own which rows exist, not what admins wrote into them (docs/decisions.md,
    "Seeds and startup"): an edited catalog row survives a reseed, a row added to a seed
    module arrives, and nothing else changes."""
    await seeds.seed_all(db_conn)
    await db_conn.execute(
        sa.text("UPDATE skill_definitions SET name = 'Renamed' WHERE key = 'focus'")
    )
    item = market.ITEMS[0]
    await db_conn.execute(
        sa.text("UPDATE market_items SET cost_coins = 1, description = 'Sale' WHERE key = :k"),
        {"k": item["key"]},
    )
    new_item = {**item, "key": "new-in-this-release", "name": "New in this release"}
    monkeypatch.setattr(market, "ITEMS", (*market.ITEMS, new_item))

    result = await seeds.seed_all(db_conn)

    assert result["market"] == 1 and sum(result.values()) == 1  # only the new row
    assert await _scalar(db_conn, "SELECT name FROM skill_definitions WHERE key = 'focus'") == (
        "Renamed"
    )
    edited = (
        await db_conn.execute(
            sa.text("SELECT cost_coins, description FROM market_items WHERE key = :k"),
            {"k": item["key"]},
        )
    ).one()
    assert tuple(edited) == (1, "Sale")
    added = (
        await db_conn.execute(
            sa.text("SELECT name, cost_coins FROM market_items WHERE key = 'new-in-this-release'")
        )
    ).one()
    assert tuple(added) == ("New in this release", item["cost_coins"])


async def test_reseeding_restores_entitlements_the_code_defines(db_conn: AsyncConnection) -> None:
    """The exception: entitlements are code (the API checks them by name)."""
    await seeds.seed_all(db_conn)
    await db_conn.execute(
        sa.text("UPDATE entitlements SET description = 'edited' WHERE name = 'rows:read_all'")
    )
    assert (await seeds.seed_all(db_conn))["auth"] == 1
    assert await _scalar(
        db_conn, "SELECT description FROM entitlements WHERE name = 'rows:read_all'"
    ) == next(e["description"] for e in auth.ENTITLEMENTS if e["name"] == "rows:read_all")
