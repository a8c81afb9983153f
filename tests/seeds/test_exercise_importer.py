"""The built-in exercise catalog seed and the free-exercise-db importer (seeds/exercises.py).

Database tests use the ``db_conn`` fixture of tests/conftest.py: an AsyncConnection on a
migrated database inside a transaction that is rolled back after each test.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from seeds.exercise_catalog import EXERCISES, validate_catalog
from seeds.exercises import (
    BATCH_SIZE,
    ExerciseFileError,
    import_exercises,
    prepare_rows,
    read_exercise_file,
    seed,
)
from seeds.upsert import table

_REPO = Path(__file__).resolve().parents[2]


def _free_exercise_db() -> Path | None:
    """exercises.json of free-exercise-db in shared/ beside the repo, if present."""
    candidates = [
        os.environ.get("FREE_EXERCISE_DB_JSON"),
        _REPO.parent / "shared/data/free-exercise-db/exercises.json",
        "/work/shared/data/free-exercise-db/exercises.json",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _record(name: str, **overrides: Any) -> dict[str, Any]:
    """A valid free-exercise-db record."""
    record: dict[str, Any] = {
        "id": name.replace(" ", "_"),
        "name": name,
        "force": "push",
        "level": "beginner",
        "mechanic": "compound",
        "equipment": "body only",
        "primaryMuscles": ["chest"],
        "secondaryMuscles": ["triceps", "chest", "shoulders"],
        "instructions": ["Get into position.", "Push."],
        "category": "strength",
        "images": [f"{name}/0.jpg"],
    }
    record.update(overrides)
    return record


def _write(tmp_path: Path, data: Any, name: str = "exercises.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _unique(label: str) -> str:
    return f"Test {label} {uuid.uuid4().hex[:8]}"


async def _builtin_count(conn: AsyncConnection, names: list[str]) -> int:
    tbl = table("exercises")
    stmt = (
        sa.select(sa.func.count())
        .select_from(tbl)
        .where(tbl.c.user_id.is_(None), tbl.c.name.in_(names))
    )
    return int((await conn.execute(stmt)).scalar_one())


async def _builtin_row(conn: AsyncConnection, name: str) -> Any:
    tbl = table("exercises")
    stmt = sa.select(tbl).where(tbl.c.user_id.is_(None), tbl.c.name == name)
    return (await conn.execute(stmt)).one()


# --------------------------------------------------------------------------------------------
# the catalog itself (no database)


def test_catalog_is_consistent() -> None:
    assert len(EXERCISES) >= 110
    assert validate_catalog() == []


def test_catalog_names_do_not_collide_with_free_exercise_db() -> None:
    path = _free_exercise_db()
    if path is None:
        pytest.skip("free-exercise-db exercises.json is not available")
    theirs = {record["name"].casefold() for record in read_exercise_file(path)}
    assert [e.name for e in EXERCISES if e.name.casefold() in theirs] == []


def test_prepare_rows_maps_fields() -> None:
    rows, skipped = prepare_rows([_record("Push Thing")])
    assert skipped == []
    assert rows == [
        {
            "name": "Push Thing",
            "category": "strength",
            "muscle_groups": ["chest", "triceps", "shoulders"],
            "equipment": "body only",
            "level": "beginner",
            "force": "push",
            "mechanic": "compound",
            "description": "Get into position. Push.",
            "instructions": ["Get into position.", "Push."],
            "images": ["Push Thing/0.jpg"],
            "source_id": "Push_Thing",
            "is_builtin": True,
            "is_custom": False,
        }
    ]
    rows, _ = prepare_rows([_record("Quiet", instructions=[], force=None, mechanic=None)])
    assert rows[0]["description"] is None
    assert rows[0]["force"] is None


# --------------------------------------------------------------------------------------------
# the database


async def test_seed_is_idempotent(db_conn: AsyncConnection) -> None:
    await seed(db_conn)
    names = [e.name for e in EXERCISES]
    assert await _builtin_count(db_conn, names) == len(EXERCISES) >= 100
    assert await seed(db_conn) == 0
    assert await _builtin_count(db_conn, names) == len(EXERCISES)
    row = await _builtin_row(db_conn, "Box Breathing")
    assert row.is_builtin and not row.is_custom and row.user_id is None
    assert row.category == "breathing"


async def test_import_free_exercise_db_twice(db_conn: AsyncConnection) -> None:
    path = _free_exercise_db()
    if path is None:
        pytest.skip("free-exercise-db exercises.json is not available")
    names = [record["name"] for record in read_exercise_file(path)]
    calls: list[tuple[int, int]] = []

    first = await import_exercises(db_conn, path, progress=lambda d, t: calls.append((d, t)))
    assert first.total == 873
    assert first.skipped == []
    assert first.imported == 873
    assert await _builtin_count(db_conn, names) == 873
    assert calls[-1] == (873, 873)
    assert len(calls) == -(-873 // BATCH_SIZE)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)

    second = await import_exercises(db_conn, path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 873)
    assert await _builtin_count(db_conn, names) == 873

    row = await _builtin_row(db_conn, "3/4 Sit-Up")
    assert row.source_id == "3_4_Sit-Up"
    assert row.muscle_groups == ["abdominals"]
    assert row.description.startswith("Lie down on the floor")
    assert row.is_builtin and not row.is_custom


async def test_bad_records_are_skipped_with_their_index(
    db_conn: AsyncConnection, tmp_path: Path
) -> None:
    good_a, good_b = _unique("good a"), _unique("good b")
    records = [
        _record(good_a),
        {"id": "no_name", "category": "strength"},  # 1: missing name
        "not an exercise",  # 2: not an object
        _record(_unique("bad muscles"), primaryMuscles="chest"),  # 3: not a list
        _record(_unique("bad category"), category=["strength"]),  # 4: not a string
        _record("   "),  # 5: empty name
        _record(_unique("bad item"), secondaryMuscles=["chest", 3]),  # 6: not strings
        _record(good_b),
        _record(_unique("bad level"), level="godlike"),  # 8: outside the vocabulary
        {**_record("x"), "name": 42},  # 9: name not a string
    ]
    report = await import_exercises(db_conn, _write(tmp_path, records))

    assert report.total == 10
    assert report.inserted == 2
    assert (report.updated, report.unchanged) == (0, 0)
    assert [index for index, _ in report.skipped] == [1, 2, 3, 4, 5, 6, 8, 9]
    reasons = dict(report.skipped)
    assert reasons[1] == "missing name"
    assert "not an object" in reasons[2]
    assert "primaryMuscles" in reasons[3]
    assert "category" in reasons[4]
    assert reasons[5] == "empty name"
    assert "secondaryMuscles" in reasons[6]
    assert "level" in reasons[8]
    assert "name" in reasons[9]
    assert await _builtin_count(db_conn, [good_a, good_b]) == 2


async def test_duplicate_names_keep_the_last(db_conn: AsyncConnection, tmp_path: Path) -> None:
    name = _unique("dup")
    records = [_record(name, level="beginner"), _record(name, level="expert")]
    report = await import_exercises(db_conn, _write(tmp_path, records))
    assert report.inserted == 1
    assert len(report.skipped) == 1
    assert report.skipped[0][0] == 0
    assert "duplicate name" in report.skipped[0][1]
    assert (await _builtin_row(db_conn, name)).level == "expert"


async def test_changed_field_updates_the_row(db_conn: AsyncConnection, tmp_path: Path) -> None:
    name, other = _unique("changing"), _unique("steady")
    path = _write(tmp_path, [_record(name), _record(other)])
    first = await import_exercises(db_conn, path)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)

    path = _write(tmp_path, [_record(name, equipment="dumbbell"), _record(other)])
    second = await import_exercises(db_conn, path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 1)
    assert (await _builtin_row(db_conn, name)).equipment == "dumbbell"


async def test_user_exercise_with_the_same_name_is_left_alone(
    db_conn: AsyncConnection, tmp_path: Path
) -> None:
    users = table("users")
    required = {
        c.name for c in users.c if not c.nullable and c.server_default is None and c.default is None
    }
    if required - {"email", "name"}:
        pytest.skip(f"cannot build a minimal users row (required: {sorted(required)})")
    marker = uuid.uuid4().hex[:12]
    values = {c: f"{marker}@example.test" if c == "email" else marker for c in required}
    user_id = (
        await db_conn.execute(sa.insert(users).values(values).returning(users.c.id))
    ).scalar_one()
    name = _unique("shared name")
    exercises = table("exercises")
    await db_conn.execute(
        sa.insert(exercises).values(
            name=name, category="strength", user_id=user_id, is_custom=True, level="expert"
        )
    )
    report = await import_exercises(db_conn, _write(tmp_path, [_record(name)]))
    assert report.inserted == 1
    own = (
        await db_conn.execute(sa.select(exercises.c.level).where(exercises.c.user_id == user_id))
    ).scalar_one()
    assert own == "expert"


async def test_not_json_raises(db_conn: AsyncConnection, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"name": "Push-Up",', encoding="utf-8")
    with pytest.raises(ExerciseFileError, match=r"broken\.json"):
        await import_exercises(db_conn, path)


async def test_not_utf8_raises(db_conn: AsyncConnection, tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'[{"name": "Caf\xe9"}]')
    with pytest.raises(ExerciseFileError, match=r"latin1\.json"):
        await import_exercises(db_conn, path)


async def test_json_object_raises(db_conn: AsyncConnection, tmp_path: Path) -> None:
    path = _write(tmp_path, {"exercises": [_record("Nested")]}, name="object.json")
    with pytest.raises(ExerciseFileError, match=r"object\.json.*list"):
        await import_exercises(db_conn, path)
    assert issubclass(ExerciseFileError, ValueError)
