"""The general path compiles each statement shape once: a second request of the same shape, by
another user, with other page sizes, cursors and
filter values, builds and compiles no SQL at all; it only fills the bind parameters of the
templates the first request compiled (``schema.core.sql.Template``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from sqlalchemy.sql import compiler as sa_compiler

from db.auth.viewer import Viewer
from gateway.context import Context, Reader
from schema.core import sql
from tests.factories import make_habit, make_habit_completions, make_user

HABITS = """query Habits($first: Int!, $after: String, $from: DateTime) {
  me { habits(first: $first, after: $after) { totalCount
    pageInfo { endCursor }
    edges { node { name
      completions(first: 3, filter: {completedAt: {from: $from}}) {
        totalCount edges { node { completedAt } } } } } } }
  exercises(first: 5, filter: {search: "press"}) { edges { node { name } } }
}"""


@pytest.fixture
def compilations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQLAlchemy statement built by the loaders' builders or compiled (by anyone)
    while the test runs."""
    seen: list[str] = []
    original = sa_compiler.SQLCompiler.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        seen.append(self.string)

    monkeypatch.setattr(sa_compiler.SQLCompiler, "__init__", counting)
    for name in ("page_statement", "count_statement", "rows_statement"):
        builder = getattr(sql, name)

        def built(*args: Any, _builder: Any = builder, _name: str = name, **kwargs: Any) -> Any:
            seen.append(f"built by {_name}")
            return _builder(*args, **kwargs)

        monkeypatch.setattr(sql, name, built)
    yield seen


async def _run(
    schema: strawberry.Schema,
    settings: Any,
    engine: Any,
    db_conn: Any,
    viewer: Viewer,
    variables: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    reader = Reader.over(db_conn)
    context = Context(settings=settings, engine=engine, reader=reader, viewer=viewer)
    result = await schema.execute(HABITS, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    assert result.data is not None
    return result.data, reader.statements


async def test_second_request_of_a_shape_compiles_nothing(
    schema: strawberry.Schema,
    settings: Any,
    engine: Any,
    db_conn: Any,
    compilations: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users = [await make_user(db_conn), await make_user(db_conn)]
    for n, user in enumerate(users):
        for i in range(3 + n):
            habit = await make_habit(db_conn, user, name=f"Habit {n}.{i}")
            await make_habit_completions(db_conn, habit, user, 4)

    async def run(user: Any, variables: dict[str, Any]) -> dict[str, Any]:
        data, statements = await _run(
            schema, settings, engine, db_conn, Viewer(user_id=user), variables
        )
        assert statements == 6  # me, habits page and count, completions page and count, exercises
        return data

    first = await run(users[0], {"first": 2})
    cursor = first["me"]["habits"]["pageInfo"]["endCursor"]
    # A cursor and a date range are other shapes: compiled once, here.
    await run(users[0], {"first": 3, "after": cursor, "from": "2000-01-01T00:00:00Z"})
    templates = len(sql.TEMPLATES)

    # Another user, page size, cursor value and date: the same shapes, no SQL compiled.
    compilations.clear()
    own = await run(users[1], {"first": 1})
    variables = {
        "first": 2,
        "after": own["me"]["habits"]["pageInfo"]["endCursor"],
        "from": "2001-01-01T00:00:00Z",
    }
    cached = await run(users[1], variables)
    assert compilations == []
    assert len(sql.TEMPLATES) == templates

    # The cached templates answer exactly what freshly built statements answer.
    monkeypatch.setattr(sql, "TEMPLATES", {})
    fresh = await run(users[1], variables)
    assert compilations, "an empty cache compiles again"
    assert cached == fresh
    assert cached["me"]["habits"]["totalCount"] == 4
    assert len(cached["me"]["habits"]["edges"]) == 2
    assert all(e["node"]["name"].startswith("Habit 1.") for e in cached["me"]["habits"]["edges"])
