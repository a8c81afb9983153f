"""Filter values that come from variables are bind parameters of the compiled plan:
a search box sends a new term with every keystroke, and each term must not compile (and cache)
a plan of its own. Only the filter's shape (which fields are given) selects the plan; every
answer still equals the general path's (the ``execute`` fixture compares both paths)."""

from __future__ import annotations

from typing import Any

from schema.compiler import Compiler
from schema.compiler.compiler import Document
from tests.factories import make_habit, make_habit_completions, make_user

SEARCH = """query Search($filter: ExerciseFilter, $first: Int) {
  exercises(first: $first, filter: $filter) { totalCount edges { node { name equipment } } }
}"""

COMPLETIONS = """query Completions($from: DateTime, $to: DateTime) {
  me { habits(first: 5) { edges { node { name
    completions(first: 10, filter: {completedAt: {from: $from, to: $to}}) {
      totalCount edges { node { completedAt } } } } } } }
}"""


def _plans(compiler: Compiler, query: str, name: str | None) -> int:
    document = compiler.document(query, name)
    assert isinstance(document, Document)
    return len(document.plans)


async def test_search_terms_share_one_plan(execute: Any, compiler: Compiler, db_conn: Any) -> None:
    terms = ["press", "curl", "Squat", "no such exercise", "50%_off", "back\\slash"]
    for term in terms:
        result = await execute(SEARCH, {"filter": {"search": term}, "first": 5})
        assert not result.errors, result.errors
        assert result.compiled_statements == 1
    assert _plans(compiler, SEARCH, None) == 1

    # Other values of the other filter fields: still the shape's plans, one per shape.
    for equipment in (["barbell"], ["dumbbell", "body only"], []):
        filter_ = {"search": "press", "equipment": equipment}
        result = await execute(SEARCH, {"filter": filter_, "first": 5})
        assert not result.errors, result.errors
    assert _plans(compiler, SEARCH, None) == 2

    # A term over the limit is the general path's input error, never a plan.
    result = await execute(SEARCH, {"filter": {"search": "x" * 101}, "first": 5})
    assert result.errors and "filter.search" in result.errors[0]
    assert result.compiled_statements is None


async def test_range_bounds_are_bound_per_request(
    execute: Any, compiler: Compiler, db_conn: Any
) -> None:
    user = await make_user(db_conn)
    habit = await make_habit(db_conn, user, name="Scales")
    await make_habit_completions(db_conn, habit, user, 12)

    windows = [
        ("2000-01-01T00:00:00Z", None),
        ("2100-01-01T00:00:00Z", None),
        (None, "2000-01-01T00:00:00Z"),
        (None, "2100-01-01T00:00:00Z"),
        ("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"),
        (None, None),
    ]
    counts = []
    for lower, upper in windows:
        result = await execute(COMPLETIONS, {"from": lower, "to": upper}, viewer=user)
        assert not result.errors, result.errors
        assert result.compiled_statements == 1
        (edge,) = result.data["me"]["habits"]["edges"]
        counts.append(edge["node"]["completions"]["totalCount"])
    assert counts == [12, 0, 0, 12, 12, 12]
    # One plan per shape (from, to, both, neither), not per value.
    assert _plans(compiler, COMPLETIONS, None) == 4
