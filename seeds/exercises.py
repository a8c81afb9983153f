"""Built-in exercises: the Ignition catalog seed and the free-exercise-db importer.

Both write built-in rows of ``exercises`` (``user_id`` NULL, ``is_builtin`` true,
``is_custom`` false), matched by ``name`` through the partial unique index
``uq_exercises_builtin_name`` (``name`` WHERE ``user_id IS NULL``), so users' own exercises are
never touched and running either one twice changes nothing.

- :func:`seed` writes :data:`seeds.exercise_catalog.EXERCISES`, the catalog written for
  Ignition (desk posture, wrists and hands, mobility, breathing, strength, cardio).
- :func:`import_exercises` loads a JSON file in the format of free-exercise-db
  (https://github.com/yuhonas/free-exercise-db, released into the public domain under the
  Unlicense): a list of objects such as::

      {"id": "3_4_Sit-Up", "name": "3/4 Sit-Up", "force": "pull", "level": "beginner",
       "mechanic": "compound", "equipment": "body only", "primaryMuscles": ["abdominals"],
       "secondaryMuscles": [], "instructions": ["Lie down on the floor ...", "..."],
       "category": "strength", "images": ["3_4_Sit-Up/0.jpg", "3_4_Sit-Up/1.jpg"]}

  Its ``schema.json`` describes the fields; the file itself is not part of this repository.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db.fitness.rules import EXERCISE_FORCES, EXERCISE_LEVELS, EXERCISE_MECHANICS
from seeds.exercise_catalog import EXERCISES
from seeds.upsert import table, upsert

#: Rows per INSERT ... ON CONFLICT statement of the importer (14 columns -> 2,800 parameters).
BATCH_SIZE = 200

#: The predicate of ``uq_exercises_builtin_name``: built-in rows are unique by name.
BUILTIN: sa.ColumnElement[bool] = sa.column("user_id").is_(None)

#: Closed vocabularies of free-exercise-db (``schema.json``); other values are rejected. One
#: definition (``db/fitness/rules.py``), shared with the users' own exercises.
LEVELS = EXERCISE_LEVELS
FORCES = EXERCISE_FORCES
MECHANICS = EXERCISE_MECHANICS

#: Columns written by the importer besides ``name`` (the key); all compared for changes.
_IMPORT_COLUMNS = (
    "category",
    "muscle_groups",
    "equipment",
    "level",
    "force",
    "mechanic",
    "description",
    "instructions",
    "images",
    "source_id",
    "is_builtin",
    "is_custom",
)


class ExerciseFileError(ValueError):
    """The file as a whole cannot be imported: it is not JSON, or its top level is not a list."""


@dataclass
class ImportReport:
    """What :func:`import_exercises` did.

    Attributes:
        total: the number of records in the file (valid or not).
        inserted: rows created.
        updated: existing built-in rows whose imported columns changed.
        unchanged: existing built-in rows that already held the same values.
        skipped: ``(index in the file, reason)`` for every record not imported: invalid
            records and earlier duplicates of a name (the last occurrence wins).
    """

    total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Valid records written or confirmed: ``inserted + updated + unchanged``."""
        return self.inserted + self.updated + self.unchanged


def catalog_rows() -> list[dict[str, Any]]:
    """The ``exercises`` rows of the built-in catalog (all with the same columns)."""
    return [
        {
            **entry.as_row(),
            "images": [],
            "source_id": None,
            "is_builtin": True,
            "is_custom": False,
        }
        for entry in EXERCISES
    ]


async def seed(conn: AsyncConnection) -> int:
    """Insert or update the built-in catalog (:data:`seeds.exercise_catalog.EXERCISES`).

    Args:
        conn: a connection inside the caller's transaction.

    Returns:
        The number of rows inserted or changed (0 when the catalog was already up to date).
    """
    return await upsert(conn, "exercises", catalog_rows(), key=["name"], where=BUILTIN)


# --------------------------------------------------------------------------------------------
# free-exercise-db import


class InvalidExerciseRecord(ValueError):
    """A record that cannot be imported; the message is the reason reported."""


def _optional_str(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidExerciseRecord(f"{key} must be a string or null, got {type(value).__name__}")
    return value.strip() or None


def _choice(record: Mapping[str, Any], key: str, allowed: frozenset[str]) -> str | None:
    value = _optional_str(record, key)
    if value is not None and value not in allowed:
        raise InvalidExerciseRecord(f"{key} {value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _str_list(record: Mapping[str, Any], key: str) -> list[str]:
    """A list of strings (missing or null -> empty), stripped, without empty items."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidExerciseRecord(f"{key} must be a list of strings")
    return [s for item in value if (s := item.strip())]


def exercise_row(record: Any) -> dict[str, Any]:
    """Map one free-exercise-db record to an ``exercises`` row.

    Args:
        record: one element of the file's top-level list.

    Returns:
        ``{"name", "category", "muscle_groups", "equipment", "level", "force", "mechanic",
        "description", "instructions", "images", "source_id", "is_builtin", "is_custom"}``:
        ``muscle_groups`` is ``primaryMuscles`` then ``secondaryMuscles`` without repeats,
        ``description`` the instructions joined into one paragraph (None without any),
        ``source_id`` the record's ``id``.

    Raises:
        InvalidExerciseRecord: the record is not an object, has no name or category, or a
            field has the wrong type (or a value outside the level/force/mechanic vocabularies).
    """
    if not isinstance(record, dict):
        raise InvalidExerciseRecord(f"not an object (got {type(record).__name__})")
    if "name" not in record or record["name"] is None:
        raise InvalidExerciseRecord("missing name")
    if not isinstance(record["name"], str):
        raise InvalidExerciseRecord(f"name must be a string, got {type(record['name']).__name__}")
    name = record["name"].strip()
    if not name:
        raise InvalidExerciseRecord("empty name")
    if "category" not in record or record["category"] is None:
        raise InvalidExerciseRecord("missing category")
    category = _optional_str(record, "category")
    if category is None:
        raise InvalidExerciseRecord("empty category")
    muscles = _str_list(record, "primaryMuscles") + _str_list(record, "secondaryMuscles")
    instructions = _str_list(record, "instructions")
    return {
        "name": name,
        "category": category,
        "muscle_groups": list(dict.fromkeys(muscles)),
        "equipment": _optional_str(record, "equipment"),
        "level": _choice(record, "level", LEVELS),
        "force": _choice(record, "force", FORCES),
        "mechanic": _choice(record, "mechanic", MECHANICS),
        "description": " ".join(instructions) or None,
        "instructions": instructions,
        "images": _str_list(record, "images"),
        "source_id": _optional_str(record, "id"),
        "is_builtin": True,
        "is_custom": False,
    }


def read_exercise_file(path: Path) -> list[Any]:
    """Parse ``path`` and return its top-level list (records not validated yet).

    Raises:
        ExerciseFileError: the file is not UTF-8 JSON, or its top level is not a list.
        OSError: the file cannot be read (e.g. FileNotFoundError).
    """
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise ExerciseFileError(f"{path}: not a UTF-8 JSON file ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise ExerciseFileError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc
    if not isinstance(data, list):
        raise ExerciseFileError(
            f"{path}: expected a JSON list of exercises, got a JSON {_json_kind(data)}"
        )
    return data


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def prepare_rows(records: Sequence[Any]) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Validate and map ``records``; the last record of each name wins.

    Returns:
        ``(rows, skipped)``: the rows to upsert, in file order, and ``(index, reason)`` for
        every invalid record or earlier duplicate, sorted by index.
    """
    skipped: list[tuple[int, str]] = []
    by_name: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, record in enumerate(records):
        try:
            row = exercise_row(record)
        except InvalidExerciseRecord as exc:
            skipped.append((index, str(exc)))
            continue
        earlier = by_name.pop(row["name"], None)
        if earlier is not None:
            skipped.append((earlier[0], f"duplicate name {row['name']!r} (record {index} wins)"))
        by_name[row["name"]] = (index, row)
    rows = [row for _, row in sorted(by_name.values(), key=lambda item: item[0])]
    skipped.sort()
    return rows, skipped


def _upsert_statement(rows: list[dict[str, Any]]) -> sa.Insert:
    """``INSERT ... ON CONFLICT (name) WHERE user_id IS NULL DO UPDATE ... WHERE <changed>
    RETURNING (xmax = 0) AS inserted``: one returned row per inserted or changed row, true for
    inserts; unchanged rows are not returned. Also sets ``updated_at`` on changed rows (Core
    ``onupdate`` defaults do not apply to ON CONFLICT updates)."""
    tbl = table("exercises")
    stmt = insert(tbl).values(rows)
    changed = sa.or_(*[tbl.c[c].is_distinct_from(stmt.excluded[c]) for c in _IMPORT_COLUMNS])
    return stmt.on_conflict_do_update(
        index_elements=[tbl.c.name],
        index_where=BUILTIN,
        set_={**{c: stmt.excluded[c] for c in _IMPORT_COLUMNS}, "updated_at": sa.func.now()},
        where=changed,
    ).returning(sa.literal_column("(xmax = 0)", sa.Boolean).label("inserted"))


async def import_exercises(
    conn: AsyncConnection,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a free-exercise-db file as built-in exercises, upserting by name.

    Args:
        conn: a connection inside the caller's transaction (nothing is committed here).
        path: a JSON file in the free-exercise-db format (a list of exercise objects).
        progress: called as ``progress(done, total)`` after each batch of :data:`BATCH_SIZE`
            rows, where ``total`` is the number of valid, de-duplicated records to write.

    Returns:
        An :class:`ImportReport`. Invalid records (not an object, missing or empty name or
        category, fields of the wrong type) are reported in ``skipped`` with their index and
        reason; the other records are still imported.

    Raises:
        ExerciseFileError: the file is not JSON or its top level is not a list.
        OSError: the file cannot be read.
    """
    records = await asyncio.to_thread(read_exercise_file, Path(path))
    rows, skipped = prepare_rows(records)
    report = ImportReport(total=len(records), skipped=skipped)
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        result = await conn.execute(_upsert_statement(batch))
        flags = result.scalars().all()
        inserted = sum(1 for flag in flags if flag)
        report.inserted += inserted
        report.updated += len(flags) - inserted
        report.unchanged += len(batch) - len(flags)
        if progress is not None:
            progress(start + len(batch), len(rows))
    return report


__all__ = [
    "BATCH_SIZE",
    "ExerciseFileError",
    "ImportReport",
    "InvalidExerciseRecord",
    "catalog_rows",
    "exercise_row",
    "import_exercises",
    "prepare_rows",
    "read_exercise_file",
    "seed",
]
