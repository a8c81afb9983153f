"""Calendar event mutations: create (an RFC 5545 recurrence rule parsed by python-dateutil,
times, links to the viewer's own rows), update (only the given fields, checked on the event as
it would be), delete (with its occurrences); every typed error leaves the database as it was;
another user's events and rows are absent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.errors import InvalidInput
from db.planning.rules import normalise_rule
from gateway.auth import Viewer
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user
from tests.support.writes import errors, payload_of, unchanged, value

EVENT = (
    "event { id title eventType startTime endTime timezone recurrenceRule recurrenceEnd "
    "reminderMinutes location metadata goalId parentEventId }"
)
CREATE = f"""
mutation($input: CreateCalendarEventInput!) {{
  createCalendarEvent(input: $input) {{
    __typename
    ... on CreateCalendarEventSuccess {{ {EVENT} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateCalendarEventInput!) {{
  updateCalendarEvent(id: $id, input: $input) {{
    __typename
    ... on UpdateCalendarEventSuccess {{ {EVENT} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deleteCalendarEvent(id: $id) {{
    __typename
    ... on DeleteCalendarEventSuccess {{ deletedEventId }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
CREATE_GOAL = """
mutation { createGoal(input: {title: "EP"}) { ... on CreateGoalSuccess { goal { id } } } }
"""

START = "2027-01-04T18:00:00+00:00"


async def _create(mutate: Mutate, viewer: Viewer, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"title": "Band practice", "startTime": START, **fields}}
    payload = await payload_of(mutate, CREATE, variables, viewer)
    assert payload["__typename"] == "CreateCalendarEventSuccess", payload
    event: dict[str, Any] = payload["event"]
    return event


def test_recurrence_rules_are_parsed() -> None:
    start = datetime(2027, 1, 4, 18, tzinfo=UTC)
    assert normalise_rule("rrule:freq=weekly;byday=mo", start) == "FREQ=WEEKLY;BYDAY=MO"
    assert normalise_rule(None, start) is None
    for bad in (
        "FREQ=SOMETIMES",
        "garbage",
        "FREQ=DAILY;COUNT=0",  # no occurrence
        "FREQ=DAILY;UNTIL=20270101T000000",  # UNTIL must be UTC with a zoned start
        "FREQ=DAILY\nEXDATE:20270105T180000Z",
        "FREQ=DAILY;" + "BYHOUR=1;" * 80,
    ):
        with pytest.raises(InvalidInput) as caught:
            normalise_rule(bad, start)
        assert caught.value.field == "input.recurrenceRule", bad


async def test_create_event_and_its_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    goal = (await payload_of(mutate, CREATE_GOAL, {}, viewer))["goal"]["id"]
    event = await _create(
        mutate,
        viewer,
        endTime="2027-01-04T20:00:00+00:00",
        eventType="GOAL",
        goalId=goal,
        timezone="Europe/Berlin",
        recurrenceRule="RRULE:FREQ=WEEKLY;BYDAY=MO",
        recurrenceEnd="2027-06-28",
        reminderMinutes=30,
        metadata={"room": 2},
    )
    assert (event["recurrenceRule"], event["eventType"], event["goalId"]) == (
        "FREQ=WEEKLY;BYDAY=MO",
        "GOAL",
        goal,
    )
    assert event["metadata"] == {"room": 2}
    occurrence = await _create(mutate, viewer, parentEventId=event["id"])
    assert occurrence["parentEventId"] == event["id"]
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"title": " "}, "input.title"),
        ({"title": "x" * 201}, "input.title"),
        ({"endTime": "2027-01-04T17:59:00+00:00"}, "input.endTime"),
        ({"recurrenceRule": "FREQ=SOMETIMES"}, "input.recurrenceRule"),
        ({"recurrenceEnd": "2027-06-28"}, "input.recurrenceEnd"),
        (
            {"recurrenceRule": "FREQ=DAILY", "recurrenceEnd": "2027-01-03"},
            "input.recurrenceEnd",
        ),
        ({"timezone": "Mars/Olympus"}, "input.timezone"),
        ({"timezone": "../../etc/passwd"}, "input.timezone"),
        ({"reminderMinutes": -1}, "input.reminderMinutes"),
        ({"reminderMinutes": 40_321}, "input.reminderMinutes"),
        ({"location": "x" * 301}, "input.location"),
        ({"color": "x" * 33}, "input.color"),
        ({"metadata": [1, 2]}, "input.metadata"),
        ({"metadata": {"x": "y" * 17_000}}, "input.metadata"),
        ({"goalId": "not-an-id"}, "input.goalId"),
        ({"parentEventId": occurrence["id"]}, "input.parentEventId"),  # not a series
    ]
    for fields, field in refusals:
        variables = {"input": {"title": "Gig", "startTime": START, **fields}}
        refused = await unchanged(engine, mutate, CREATE, variables, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields
    stranger = await committed_user(engine)
    for fields, resource in (
        ({"goalId": goal}, "Goal"),
        ({"parentEventId": event["id"]}, "CalendarEvent"),
        ({"habitId": "00000000-0000-0000-0000-000000000001"}, "Habit"),
        ({"workoutId": "00000000-0000-0000-0000-000000000001"}, "Workout"),
    ):
        variables = {"input": {"title": "Mine", "startTime": START, **fields}}
        hidden = await unchanged(engine, mutate, CREATE, variables, stranger)
        assert (hidden["__typename"], hidden["resource"]) == ("NotFound", resource), fields


async def test_update_and_delete_event(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    event = await _create(
        mutate,
        viewer,
        location="Studio B",
        recurrenceRule="FREQ=DAILY",
        endTime="2027-01-04T19:00:00+00:00",
    )
    updated = await payload_of(
        mutate,
        UPDATE,
        {"id": event["id"], "input": {"location": None, "recurrenceEnd": "2027-02-01"}},
        viewer,
    )
    assert updated["event"]["location"] is None
    assert updated["event"]["recurrenceEnd"] == "2027-02-01"
    assert updated["event"]["recurrenceRule"] == "FREQ=DAILY"
    assert updated["event"]["title"] == "Band practice"
    # Checked on the event as it would be: the stored end is before the new start.
    for fields, field in (
        ({"startTime": "2027-01-04T19:30:00+00:00"}, "input.endTime"),
        ({"recurrenceRule": None}, "input.recurrenceEnd"),
        ({"title": None}, "input.title"),
        ({"parentEventId": event["id"]}, "input.parentEventId"),
        ({"eventType": None}, "input.eventType"),
    ):
        refused = await unchanged(
            engine, mutate, UPDATE, {"id": event["id"], "input": fields}, viewer
        )
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields
    moved = await payload_of(
        mutate,
        UPDATE,
        {"id": event["id"], "input": {"startTime": "2027-01-05T09:00:00", "endTime": None}},
        viewer,
    )
    assert moved["event"]["startTime"].startswith("2027-01-05T09:00:00")
    stranger = await committed_user(engine)
    hidden = await unchanged(
        engine, mutate, UPDATE, {"id": event["id"], "input": {"title": "Mine"}}, stranger
    )
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "CalendarEvent")
    hidden = await unchanged(engine, mutate, DELETE, {"id": event["id"]}, stranger)
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "CalendarEvent")
    occurrence = await _create(mutate, viewer, parentEventId=event["id"])
    deleted = await payload_of(mutate, DELETE, {"id": event["id"]}, viewer)
    assert deleted["deletedEventId"] == event["id"]
    assert (
        await value(
            engine, "SELECT count(*) FROM calendar_events WHERE id = :e", e=occurrence["id"]
        )
        == 0
    )
