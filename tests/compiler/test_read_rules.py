"""The read rules defined once for both paths: ``pageInfo`` (``schema/core/pages.py``), the
cursor codec (``schema/core/cursor.py``: Python and SQL renderings of one format) and the
visibility rule (``db/visibility.py``). The differential tests compare whole answers; these
check each definition on its own, with no server."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from db.visibility import Visibility, grants_visibility, where_visible
from schema.core.cursor import Cursor, InvalidCursor, cursor_of
from schema.core.pages import page_info
from schema.core.tables import TableInfo, build_catalog

CATALOG = build_catalog()


@pytest.mark.parametrize(
    ("has_more", "cursor_given", "reverse", "expected"),
    [
        # forward: more rows read than asked -> a next page; a cursor -> a previous page
        (False, False, False, (False, False, "first", "last")),
        (True, False, False, (True, False, "first", "last")),
        (False, True, False, (False, True, "first", "last")),
        # backward (last/before): the same, mirrored, and the edges shown in order
        (True, False, True, (False, True, "last", "first")),
        (False, True, True, (True, False, "last", "first")),
        (True, True, True, (True, True, "last", "first")),
    ],
)
def test_page_info_is_one_selection_of_its_inputs(
    has_more: bool, cursor_given: bool, reverse: bool, expected: tuple[Any, ...]
) -> None:
    fields = page_info(
        has_more=has_more,
        cursor_given=cursor_given,
        reverse=reverse,
        first_read="first",
        last_read="last",
    )
    assert tuple(fields.values()) == expected
    assert list(fields) == ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]


def _sample(column: sa.Column[Any]) -> Any:
    py = column.type.python_type
    if issubclass(py, datetime):
        return datetime(2026, 1, 5, 9, 30, 0, 250, tzinfo=UTC)
    if issubclass(py, date):
        return date(2026, 1, 5)
    if issubclass(py, uuid.UUID):
        return uuid.UUID("00000000-0000-4000-8000-00000000002a")
    if issubclass(py, bool):
        return True
    if issubclass(py, int):
        return 42
    if issubclass(py, enum.Enum):
        return next(iter(py))
    if issubclass(py, str):
        return 'quote " and é'
    raise AssertionError(py)


def _tables() -> list[TableInfo]:
    return [info for info in CATALOG if cursor_of(info).supported]


@pytest.mark.parametrize("info", _tables(), ids=lambda info: info.name)
def test_cursor_decodes_what_it_encodes(info: TableInfo) -> None:
    codec = cursor_of(info)
    values = {key: _sample(col) for key, col in zip(codec.keys, codec.columns, strict=True)}
    row = type("Row", (), values)()
    decoded = codec.decode(codec.encode(row))
    assert decoded == [getattr(v, "value", v) for v in values.values()]


async def test_the_sql_cursor_is_the_python_cursor_byte_for_byte(engine: AsyncEngine) -> None:
    """Every supported order: the SQL rendering of sample values, run in PostgreSQL, is the
    Python encoding of the same values."""
    checked = 0
    async with engine.connect() as conn:
        for info in _tables():
            codec = cursor_of(info)
            values = [_sample(col) for col in codec.columns]
            literals = [
                sa.cast(sa.literal(getattr(v, "value", v)), col.type)
                for v, col in zip(values, codec.columns, strict=True)
            ]
            rendered = await conn.scalar(sa.select(codec.sql(literals)))
            row = type("Row", (), dict(zip(codec.keys, values, strict=True)))()
            assert rendered == codec.encode(row), info.name
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    "forged",
    ["", "not base64!", "bnVsbA==", "WzFd", "W251bGwsbnVsbF0=", "WyJ4IiwiMjAyNi0wMS0wNSJd"],
)
def test_a_forged_cursor_is_an_input_error(forged: str) -> None:
    codec = cursor_of(CATALOG["habits"])
    with pytest.raises(InvalidCursor):
        codec.decode(forged)


def test_a_cursor_of_an_unsupported_order_has_no_sql() -> None:
    unsupported = [info for info in CATALOG if not cursor_of(info).supported]
    for info in unsupported:
        codec = Cursor(info)
        with pytest.raises(ValueError):
            codec.sql([info.table.c[col.name] for col in codec.columns])


def test_children_reached_through_their_owner_need_no_predicate() -> None:
    viewer = Viewer(user_id=uuid.uuid4(), entitlements=frozenset())
    checked = 0
    for info in CATALOG:
        for relation in info.relations:
            if relation.kind != "many":
                continue
            child = relation.child
            through = relation.fk_column
            alone = where_visible(child, viewer, CATALOG.parent_of)
            linked = where_visible(child, viewer, CATALOG.parent_of, through)
            if grants_visibility(child, through):
                assert linked == [], (info.name, relation.name)
                checked += 1
            else:
                assert [str(c) for c in linked] == [str(c) for c in alone]
            if child.visibility is Visibility.PUBLIC:
                assert alone == []
    assert checked > 20
