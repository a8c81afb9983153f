"""Relay connections: keyset cursors, both directions, page-size limits, filters, ordering."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_habit, make_habit_completions, make_user

PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  me { habits(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name sortOrder } } } } }"""


async def _user_with_habits(db_conn: Any, count: int) -> Any:
    user = await make_user(db_conn)
    for i in range(count):
        await make_habit(db_conn, user, name=f"Habit {i:02d}", sort_order=i)
    return user


def _names(result: Any) -> list[str]:
    return [e["node"]["name"] for e in result.data["me"]["habits"]["edges"]]


async def test_forward_pages_cover_every_row_once_in_order(execute: Any, db_conn: Any) -> None:
    user = await _user_with_habits(db_conn, 7)
    seen: list[str] = []
    after = None
    while True:
        result = await execute(PAGE, {"first": 3, "after": after}, viewer=user)
        assert not result.errors
        connection = result.data["me"]["habits"]
        seen += _names(result)
        assert connection["totalCount"] == 7
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == [f"Habit {i:02d}" for i in range(7)]


async def test_backward_pages_with_last_and_before(execute: Any, db_conn: Any) -> None:
    user = await _user_with_habits(db_conn, 5)
    last_two = await execute(PAGE, {"last": 2}, viewer=user)
    assert _names(last_two) == ["Habit 03", "Habit 04"]
    assert last_two.data["me"]["habits"]["pageInfo"]["hasPreviousPage"] is True
    before = last_two.data["me"]["habits"]["pageInfo"]["startCursor"]
    earlier = await execute(PAGE, {"last": 10, "before": before}, viewer=user)
    assert _names(earlier) == ["Habit 00", "Habit 01", "Habit 02"]
    assert earlier.data["me"]["habits"]["pageInfo"]["hasPreviousPage"] is False
    assert earlier.data["me"]["habits"]["pageInfo"]["hasNextPage"] is True


async def test_cursor_order_is_stable_when_sort_keys_tie(execute: Any, db_conn: Any) -> None:
    user = await make_user(db_conn)
    for i in range(6):  # equal sort_order: the tie-breakers (created_at, id) decide
        await make_habit(db_conn, user, name=f"Tied {i}", sort_order=0)
    first = await execute(PAGE, {"first": 3}, viewer=user)
    rest = await execute(
        PAGE,
        {"first": 3, "after": first.data["me"]["habits"]["pageInfo"]["endCursor"]},
        viewer=user,
    )
    everything = await execute(PAGE, {"first": 6}, viewer=user)
    assert _names(first) + _names(rest) == _names(everything)
    assert len(set(_names(everything))) == 6


async def test_empty_connection(execute: Any, db_conn: Any) -> None:
    user = await make_user(db_conn)
    result = await execute(PAGE, {"first": 5}, viewer=user)
    connection = result.data["me"]["habits"]
    assert connection["edges"] == [] and connection["totalCount"] == 0
    assert connection["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_first_zero_returns_only_the_count(execute: Any, db_conn: Any) -> None:
    user = await _user_with_habits(db_conn, 3)
    result = await execute(PAGE, {"first": 0}, viewer=user)
    assert result.data["me"]["habits"]["edges"] == []
    assert result.data["me"]["habits"]["totalCount"] == 3
    assert result.data["me"]["habits"]["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "`first` must be between 0 and 100 (got 101)"),
        ({"first": -1}, "`first` must be between 0 and 100"),
        ({"last": 500}, "`last` must be between 0 and 100 (got 500)"),
        ({"first": 2, "last": 2}, "Pass either `first` or `last`, not both."),
        ({"last": 2, "after": "x"}, "`after` goes with `first`"),
        ({"first": 2, "before": "x"}, "`before` goes with `last`"),
        ({"first": 2, "after": "bm90LWEtY3Vyc29y"}, "Invalid cursor"),
        ({"first": 2, "after": "%%%"}, "Invalid cursor"),
    ],
)
async def test_bad_arguments_are_clear_errors(
    execute: Any, db_conn: Any, variables: dict[str, Any], message: str
) -> None:
    user = await _user_with_habits(db_conn, 2)
    result = await execute(PAGE, variables, viewer=user)
    assert result.data == {"me": None} or result.data is None
    assert any(message in e for e in result.errors), result.errors


async def test_nested_connections_page_each_parent_separately(execute: Any, db_conn: Any) -> None:
    user = await make_user(db_conn)
    for i, count in enumerate([5, 0, 2]):
        habit = await make_habit(db_conn, user, name=f"Habit {i}", sort_order=i)
        await make_habit_completions(db_conn, habit, user, count)
    result = await execute(
        """{ me { habits { edges { node { name completions(first: 3) { totalCount
            pageInfo { hasNextPage } edges { node { completedDate } } } } } } } }""",
        viewer=user,
    )
    nodes = [e["node"] for e in result.data["me"]["habits"]["edges"]]
    summary = [
        (
            n["completions"]["totalCount"],
            len(n["completions"]["edges"]),
            n["completions"]["pageInfo"]["hasNextPage"],
        )
        for n in nodes
    ]
    assert summary == [(5, 3, True), (0, 0, False), (2, 2, False)]
    dates = [e["node"]["completedDate"] for e in nodes[0]["completions"]["edges"]]
    assert dates == sorted(dates, reverse=True)  # logs: newest first


async def test_filters_enum_boolean_search_and_ranges(execute: Any, db_conn: Any) -> None:
    user = await make_user(db_conn)
    await make_habit(db_conn, user, name="Daily scales", frequency="daily")
    await make_habit(db_conn, user, name="Weekly mixdown", frequency="weekly", is_active=False)
    query = """query($f: HabitFilter) { me { habits(filter: $f) { totalCount
        edges { node { name } } } } }"""

    weekly = await execute(query, {"f": {"frequency": ["WEEKLY"]}}, viewer=user)
    assert _names(weekly) == ["Weekly mixdown"]
    active = await execute(query, {"f": {"isActive": True}}, viewer=user)
    assert _names(active) == ["Daily scales"]
    none_yet = await execute(
        query, {"f": {"createdAt": {"from": "2100-01-01T00:00:00+00:00"}}}, viewer=user
    )
    assert none_yet.data["me"]["habits"]["totalCount"] == 0
    bad = await execute(query, {"f": {"frequency": ["HOURLY"]}}, viewer=user)
    assert bad.errors and "HOURLY" in bad.errors[0]


async def test_exercise_catalog_search_and_filters(execute: Any) -> None:
    query = """query($f: ExerciseFilter) { exercises(first: 100, filter: $f) { totalCount
        edges { node { name category equipment muscleGroups } } } }"""
    wrist = await execute(query, {"f": {"search": "WRIST"}})
    names = [e["node"]["name"] for e in wrist.data["exercises"]["edges"]]
    assert names and all("wrist" in n.lower() for n in names)
    assert names == sorted(names)  # the catalog is ordered by name
    forearms = await execute(query, {"f": {"muscle": "forearms", "equipment": ["body only"]}})
    for edge in forearms.data["exercises"]["edges"]:
        assert "forearms" in edge["node"]["muscleGroups"]
        assert edge["node"]["equipment"] == "body only"
    literal = await execute(query, {"f": {"search": "100%_"}})
    assert literal.data["exercises"]["totalCount"] == 0  # LIKE wildcards are escaped
