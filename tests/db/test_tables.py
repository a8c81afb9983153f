"""The migrated database has exactly the tables and column rules of docs/design.md#the-schema.

Specification (docs/design.md#the-schema):

- Exactly the 75 tables of the section's table exist (plus Alembic's version table), grouped in
  the same domains as the ``db/`` packages.
- Every table has a primary key; ``id UUID`` primary keys default to ``gen_random_uuid()``.
- Timestamps are ``TIMESTAMPTZ``; JSON-ish columns are ``JSONB``; ``analysis_frame_data
  .frame_data`` is ``BYTEA``; enum-like text columns carry a CHECK of their values.
- Every foreign-key column is indexed (an index, primary key or unique constraint leading with
  it).
- Every user-owned row has ``user_id`` referencing ``users(id)``, ``ON DELETE CASCADE``; the
  audit log keeps its rows (``SET NULL``).
- The natural uniques exist.

All checks read the system catalogs of the session's migrated database (built by the
migrations, not ``create_all``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

import db

#: docs/design.md#the-schema: domain -> tables, as written there.
SPEC_TABLES: dict[str, tuple[str, ...]] = {
    "auth & access": (
        "users", "accounts", "sessions", "verification_tokens", "authenticators", "roles",
        "entitlements", "role_entitlements", "user_roles", "audit_log", "activity_events",
    ),
    "gamification": (
        "skill_definitions", "user_skills", "achievement_definitions", "user_achievements",
        "user_progress", "user_wallet", "points_ledger", "user_streaks",
    ),
    "focus": ("focus_sessions", "focus_pause_state", "focus_libraries", "focus_library_tracks"),
    "habits & goals": ("habits", "habit_completions", "goals", "goal_milestones"),
    "quests": ("universal_quests", "user_quests", "user_quest_progress"),
    "planning": ("calendar_events", "daily_plans", "plan_templates"),
    "market": ("market_items", "user_purchases", "market_transactions"),
    "reference tracks & analysis": (
        "reference_tracks", "track_analyses", "track_annotations", "track_regions",
        "analysis_frame_manifests", "analysis_frame_data", "analysis_events",
    ),
    "listening prompts": ("listening_prompt_templates", "listening_prompt_presets"),
    "fitness": (
        "exercises", "workouts", "workout_sections", "workout_exercises", "workout_sessions",
        "exercise_sets", "personal_records", "training_programs", "program_weeks",
        "program_workouts",
    ),
    "books": ("books", "reading_sessions"),
    "learn": (
        "learn_topics", "learn_lessons", "learn_drills", "user_lesson_progress",
        "user_drill_stats",
    ),
    "platform": (
        "feedback", "ideas", "infobase_entries", "onboarding_flows", "onboarding_steps",
        "user_onboarding_state", "user_onboarding_responses", "user_interests", "user_settings",
        "feature_flags", "inbox_items", "user_references",
    ),
    "events": ("event_outbox",),
}  # fmt: skip

ALL_TABLES = frozenset(name for names in SPEC_TABLES.values() for name in names)
#: docs/design.md#the-schema: "The mutations added one table beside the outbox,
#: ``idempotency_keys``", and persisted queries ``persisted_queries``; the table there lists
#: what the read API started with.
ADDED_TABLES: dict[str, tuple[str, ...]] = {"events": ("idempotency_keys", "persisted_queries")}
DATABASE_TABLES = ALL_TABLES | {name for names in ADDED_TABLES.values() for name in names}

#: The spec's domain names -> the ``db/`` package that owns them.
DOMAIN_PACKAGES = {
    "auth & access": "auth",
    "gamification": "gamification",
    "focus": "focus",
    "habits & goals": "habits",
    "quests": "quests",
    "planning": "planning",
    "market": "market",
    "reference tracks & analysis": "reference",
    "listening prompts": "listening",
    "fitness": "fitness",
    "books": "books",
    "learn": "learn",
    "platform": "platform",
    "events": "events",
}

#: Tables whose primary key is not a ``id UUID``: the outbox's id is a BIGINT identity (the
#: replay cursor, docs/design.md#events-and-the-outbox), a persisted query's is the hash its
#: clients send (docs/design.md#persisted-queries), the rest are link tables keyed by what
#: they link.
NON_UUID_PRIMARY_KEYS = {
    "event_outbox": ("id",),
    "persisted_queries": ("sha256",),
    "role_entitlements": ("role_id", "entitlement_id"),
    "user_roles": ("user_id", "role_id"),
    "verification_tokens": ("identifier", "token"),
}

#: User-owned tables whose ``user_id`` may be NULL: a NULL owner is a shared row (built-in
#: exercise, global template or infobase entry, broadcast event) or, in the audit log, a row
#: kept after its user was deleted.
NULLABLE_OWNERS = {"audit_log", "exercises", "plan_templates", "infobase_entries", "event_outbox"}

#: docs/design.md#column-rules, "Natural unique keys" (exact column lists, in this order).
NATURAL_UNIQUES = [
    ("points_ledger", ("user_id", "idempotency_key")),
    ("daily_plans", ("user_id", "date")),
    ("user_skills", ("user_id", "skill_key")),
    ("user_achievements", ("user_id", "achievement_key")),
    ("user_quest_progress", ("user_id", "quest_id")),
    ("user_settings", ("user_id", "key")),
    ("skill_definitions", ("key",)),
    ("achievement_definitions", ("key",)),
    ("market_items", ("key",)),
    ("learn_topics", ("key",)),
    ("learn_lessons", ("key",)),
    ("learn_drills", ("key",)),
]

#: Column names that hold JSON documents wherever they appear (docs/design.md#column-rules,
#: "JSON-like columns").
JSONISH_NAMES = {
    "tags", "metadata", "config", "items", "options", "summary", "manifest", "payload",
    "trigger_config", "details", "hints", "transports", "images", "instructions",
    "muscle_groups", "custom_days",
}  # fmt: skip
#: ... and any column named ``*_config`` or ``*_json``.
JSONISH_SUFFIXES = ("_config", "_json")

#: Column names of enum-like values: they must carry a CHECK of the allowed values.
ENUM_LIKE_NAMES = {"status", "mode", "frequency", "rarity", "difficulty", "role"}


async def rows(conn: AsyncConnection, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await conn.execute(sa.text(sql), params)]


async def columns(conn: AsyncConnection) -> list[tuple[str, str, str, str]]:
    """(table, column, data type, is_nullable) of every application column."""
    return await rows(
        conn,
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name <> 'alembic_version'",
    )


# SQL giving the column names of an attnum array, in order (``NULL`` for expressions).
_COLUMN_NAMES = (
    "ARRAY(SELECT a.attname::text FROM unnest({keys}) WITH ORDINALITY AS k(attnum, ord)"
    " LEFT JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum ORDER BY k.ord)"
)


# --------------------------------------------------------------------------------------------
# The table set
# --------------------------------------------------------------------------------------------


#: The page that states the tables (its section "The schema").
DESIGN_DOC = Path(__file__).resolve().parents[2] / "docs" / "design.md"


def parse_design_tables(text: str) -> dict[str, tuple[str, ...]]:
    """The ``| domain | tables |`` markdown table of docs/design.md#the-schema."""
    section = re.search(r"^## The schema\n.*?(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    assert section, "docs/design.md has no section 'The schema'"
    parsed: dict[str, tuple[str, ...]] = {}
    for line in section.group(0).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 2 or cells[0] in ("domain", "---"):
            continue
        domain, names = cells
        # "event_outbox (see events and the outbox)": drop the remark.
        parsed[domain] = tuple(re.sub(r"\(.*?\)", "", name).strip() for name in names.split(","))
    return parsed


def test_hard_coded_table_list_matches_the_design_page() -> None:
    assert parse_design_tables(DESIGN_DOC.read_text(encoding="utf-8")) == SPEC_TABLES


def test_spec_lists_75_tables_once_each() -> None:
    listed = [name for names in SPEC_TABLES.values() for name in names]
    assert len(listed) == len(ALL_TABLES) == 75


def test_each_domain_package_owns_its_spec_tables() -> None:
    assert {package: set(names) for package, names in db.DOMAINS.items()} == {
        DOMAIN_PACKAGES[domain]: set(names) | set(ADDED_TABLES.get(domain, ()))
        for domain, names in SPEC_TABLES.items()
    }


async def test_migrated_database_has_exactly_the_spec_tables(db_conn: AsyncConnection) -> None:
    relations = await rows(
        db_conn,
        "SELECT relname, relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        " AND relkind IN ('r', 'p', 'v', 'm', 'f')",
    )
    assert {name for name, _ in relations} == DATABASE_TABLES | {"alembic_version"}
    assert {kind for _, kind in relations} == {"r"}, "plain tables only: no views or partitions"


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


async def test_every_table_has_a_primary_key(db_conn: AsyncConnection) -> None:
    keyed = await rows(
        db_conn,
        "SELECT conrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'p' AND connamespace = 'public'::regnamespace",
    )
    assert ALL_TABLES - {name for (name,) in keyed} == set()


async def test_uuid_primary_keys_default_to_gen_random_uuid(db_conn: AsyncConnection) -> None:
    keys = await rows(
        db_conn,
        "SELECT c.conrelid::regclass::text, "
        + _COLUMN_NAMES.format(keys="c.conkey", rel="c.conrelid")
        + ", format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid)"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " LEFT JOIN pg_attrdef d ON d.adrelid = c.conrelid AND d.adnum = a.attnum"
        " WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace"
        " AND c.conrelid <> 'alembic_version'::regclass",
    )
    uuid_ids = {
        table: default for table, cols, type_, default in keys if (cols, type_) == (["id"], "uuid")
    }
    others = {table: tuple(cols) for table, cols, _, _ in keys if table not in uuid_ids}
    assert others == NON_UUID_PRIMARY_KEYS
    assert len(uuid_ids) == len(DATABASE_TABLES) - len(NON_UUID_PRIMARY_KEYS)
    assert {table: d for table, d in uuid_ids.items() if d != "gen_random_uuid()"} == {}


async def test_event_outbox_id_is_a_bigint_identity(db_conn: AsyncConnection) -> None:
    [(data_type, is_identity)] = await rows(
        db_conn,
        "SELECT data_type, is_identity FROM information_schema.columns"
        " WHERE table_name = 'event_outbox' AND column_name = 'id'",
    )
    assert (data_type, is_identity) == ("bigint", "YES")


async def test_every_foreign_key_column_is_indexed(db_conn: AsyncConnection) -> None:
    foreign_keys = await rows(
        db_conn,
        "SELECT conrelid::regclass::text, conname, "
        + _COLUMN_NAMES.format(keys="conkey", rel="conrelid")
        + " FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace",
    )
    # Every index counts (plain, unique, primary key), unless it is partial: a partial index
    # does not find all the referencing rows of a deleted parent.
    indexes = await rows(
        db_conn,
        "SELECT i.indrelid::regclass::text, "
        + _COLUMN_NAMES.format(keys="i.indkey::int2[]", rel="i.indrelid")
        + " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
        " WHERE t.relnamespace = 'public'::regnamespace AND i.indpred IS NULL",
    )
    leading: dict[str, list[list[str]]] = {}
    for table, cols in indexes:
        leading.setdefault(table, []).append(cols)

    def covered(table: str, fk_columns: list[str]) -> bool:
        width = len(fk_columns)
        return any(sorted(cols[:width]) == sorted(fk_columns) for cols in leading.get(table, []))

    assert len(foreign_keys) > 80
    uncovered = {
        name: (table, cols) for table, name, cols in foreign_keys if not covered(table, cols)
    }
    assert uncovered == {}


# --------------------------------------------------------------------------------------------
# Column types
# --------------------------------------------------------------------------------------------


async def test_timestamps_are_timestamptz(db_conn: AsyncConnection) -> None:
    all_columns = await columns(db_conn)
    without_zone = [
        (table, column, type_)
        for table, column, type_, _ in all_columns
        if type_ in ("timestamp without time zone", "time without time zone", "time with time zone")
    ]
    assert without_zone == []
    # Instants by name are timestamps (``date`` columns are calendar days, e.g.
    # daily_plans.date, and stay DATE).
    named_instants = [
        (table, column, type_)
        for table, column, type_, _ in all_columns
        if re.search(r"(_at|^expires|_until|^available_from|_time)$", column)
        and type_ != "timestamp with time zone"
    ]
    assert named_instants == []
    assert sum(type_ == "timestamp with time zone" for _, _, type_, _ in all_columns) > 100


async def test_json_columns_are_jsonb(db_conn: AsyncConnection) -> None:
    all_columns = await columns(db_conn)
    assert [(t, c) for t, c, type_, _ in all_columns if type_ == "json"] == [], "JSONB, not JSON"
    jsonish = [
        (table, column, type_)
        for table, column, type_, _ in all_columns
        if column in JSONISH_NAMES or column.endswith(JSONISH_SUFFIXES)
    ]
    assert [(t, c, type_) for t, c, type_ in jsonish if type_ != "jsonb"] == []
    # The rule is not vacuous: the spec's examples exist.
    present = {column for _, column, _ in jsonish}
    assert {"tags", "metadata", "config", "items", "options", "summary", "manifest"} <= present
    assert {"payload", "trigger_config"} <= present


async def test_frame_data_is_bytea(db_conn: AsyncConnection) -> None:
    [(data_type, nullable)] = await rows(
        db_conn,
        "SELECT data_type, is_nullable FROM information_schema.columns"
        " WHERE table_name = 'analysis_frame_data' AND column_name = 'frame_data'",
    )
    assert (data_type, nullable) == ("bytea", "NO")


async def test_enum_like_columns_carry_a_check_of_their_values(db_conn: AsyncConnection) -> None:
    checked = {
        (table, column)
        for table, column in await rows(
            db_conn,
            "SELECT c.conrelid::regclass::text, a.attname::text FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
            " WHERE c.contype = 'c' AND c.connamespace = 'public'::regnamespace"
            " AND pg_get_constraintdef(c.oid) ~ '= ANY \\(+ARRAY\\['",
        )
    }
    enum_like = {
        (table, column)
        for table, column, type_, _ in await columns(db_conn)
        if (column in ENUM_LIKE_NAMES and type_ in ("text", "character varying"))
        or type_ == "character varying"  # the models' enum columns (VARCHAR + CHECK)
    }
    assert len(enum_like) >= 40
    assert enum_like - checked == set()


# --------------------------------------------------------------------------------------------
# Ownership: user_id -> users(id)
# --------------------------------------------------------------------------------------------


async def test_user_owned_rows_reference_users_and_go_with_their_user(
    db_conn: AsyncConnection,
) -> None:
    owners = {
        table: nullable == "YES"
        for table, column, _, nullable in await columns(db_conn)
        if column == "user_id"
    }
    references = {
        table: (referenced, rule)
        for table, referenced, rule in await rows(
            db_conn,
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text || '(' || "
            "(SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid"
            " AND attnum = c.confkey[1]) || ')', c.confdeltype::text"
            " FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace"
            " AND a.attname = 'user_id' AND cardinality(c.conkey) = 1",
        )
    }
    assert len(owners) > 40
    # confdeltype: c = CASCADE, n = SET NULL. The audit log outlives its users.
    assert references == {
        table: ("users(id)", "n" if table == "audit_log" else "c") for table in owners
    }
    assert {table for table, nullable in owners.items() if nullable} == NULLABLE_OWNERS


async def test_other_links_to_users_are_set_null(db_conn: AsyncConnection) -> None:
    """A row that merely mentions a user (granted by, created by) survives that user."""
    links = await rows(
        db_conn,
        "SELECT c.conrelid::regclass::text || '.' || a.attname, c.confdeltype::text"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND a.attname <> 'user_id'",
    )
    assert links, "expected created_by / granted_by links"
    assert {link: rule for link, rule in links} == {link: "n" for link, _ in links}


# --------------------------------------------------------------------------------------------
# Natural uniques
# --------------------------------------------------------------------------------------------


async def test_natural_uniques_exist(db_conn: AsyncConnection) -> None:
    # Unique constraints are backed by unique indexes: reading the (non-partial) unique
    # indexes covers both.
    uniques = {
        (table, tuple(cols))
        for table, cols in await rows(
            db_conn,
            "SELECT i.indrelid::regclass::text, "
            + _COLUMN_NAMES.format(keys="i.indkey::int2[]", rel="i.indrelid")
            + " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE t.relnamespace = 'public'::regnamespace AND i.indisunique"
            " AND i.indpred IS NULL",
        )
    }
    assert [unique for unique in NATURAL_UNIQUES if unique not in uniques] == []


async def test_catalog_keys_are_required(db_conn: AsyncConnection) -> None:
    nullable_keys = [
        (table, column)
        for table, column, _, nullable in await columns(db_conn)
        if (table, (column,)) in NATURAL_UNIQUES and nullable == "YES"
    ]
    assert nullable_keys == []
