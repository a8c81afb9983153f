"""The planning rules that need no database: the shape of a daily plan's items, which days a
plan may be set and ticked for, templates turned into items, and the fields of a calendar
event with its RFC 5545 recurrence rule (parsed by python-dateutil's ``rrulestr``).

Pure functions, called by the transitions (:mod:`db.planning.transitions`) and by the demo
generator.

Plan items are JSON objects ``{id, title, kind, refId, minutes, done}`` in
``daily_plans.items``: ``id`` is the client's (1 to :data:`MAX_ITEM_ID` characters, unique in
the plan; a new one is made when none is given), ``kind`` a :class:`PlanItemKind`, ``refId``
the id of what the item is about (a habit, a lesson, a focus session; the client's, at most
:data:`MAX_REF_ID` characters), ``minutes`` the planned time. ``done`` changes only through
``completePlanItem`` / ``uncompletePlanItem`` (which count the ``plan_items_completed`` quest
units); ``setDailyPlan`` keeps each item's ``done`` as it is and refuses a change.

Ticking an item pays nothing by itself (a plan is bookkeeping; its quests pay when claimed):
one ``plan_items_completed`` unit per item done, taken back when it is undone or removed from
the plan while done (recorded in docs/decisions.md, "Books, goals and plans").
"""

from __future__ import annotations

import enum
import json
import uuid
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from dateutil.rrule import rrulestr

from db.bounds import MaxItems, refuse
from db.bounds import Text as TextBound
from db.errors import InvalidInput
from db.fields import Choice, Flag, Moment, Number, Ref, Rule, Shaped, Text, check
from db.planning.models import CalendarEventType

#: The most items a daily plan may hold.
MAX_ITEMS = 50
#: Longest item id, reference id and title, and the plan's notes, in characters.
MAX_ITEM_ID = 64
MAX_REF_ID = 100
MAX_ITEM_TITLE = 200
MAX_NOTES = 5_000
#: The longest planned item, in minutes (a day).
MAX_ITEM_MINUTES = 1_440
#: How far from today (either way) a plan may be set, in days.
PLAN_WINDOW_DAYS = 366
#: How far back an item may be ticked or unticked, in days (never in the future).
MAX_TICK_BACK_DAYS = 7

#: Longest template name and category, in characters (the description is at most
#: :data:`MAX_NOTES`).
MAX_TEMPLATE_NAME = 200
MAX_TEMPLATE_CATEGORY = 100

#: Calendar event limits: title, description, location and colour lengths, the reminder (four
#: weeks, in minutes), the recurrence rule's length and the metadata's size (as JSON text).
MAX_EVENT_TITLE = 200
MAX_EVENT_DESCRIPTION = 5_000
MAX_LOCATION = 300
MAX_COLOR = 32
MAX_REMINDER_MINUTES = 40_320
MAX_RULE = 500
MAX_METADATA = 16_384


#: The rules of the planning inputs (:mod:`db.fields`: declared by the mutations as the inputs'
#: bounds, checked by the rules and the transitions).
ITEM_ID = Text(MAX_ITEM_ID, min=1)
ITEM_TITLE = Text(MAX_ITEM_TITLE, min=1, nullable=False)
REF_ID = Text(MAX_REF_ID)
ITEM_MINUTES = Number(1, MAX_ITEM_MINUTES, nullable=True)
NOTES = Text(MAX_NOTES)
TEMPLATE_NAME = Text(MAX_TEMPLATE_NAME, min=1, nullable=False)
TEMPLATE_CATEGORY = Text(MAX_TEMPLATE_CATEGORY)
EVENT_TITLE = Text(MAX_EVENT_TITLE, min=1, nullable=False)
EVENT_DESCRIPTION = Text(MAX_EVENT_DESCRIPTION)
LOCATION = Text(MAX_LOCATION)
COLOR = Text(MAX_COLOR)
TIMEZONE = Text(64)
REMINDER_MINUTES = Number(0, MAX_REMINDER_MINUTES, nullable=True)
RULE = Text(MAX_RULE)
#: The bounds that are no column's rule: a plan's item count, the metadata's JSON text.
ITEMS = MaxItems(MAX_ITEMS)
METADATA = TextBound(MAX_METADATA)


class PlanItemKind(enum.StrEnum):
    """What a plan item is.

    - ``task``: anything to do (the default).
    - ``focus``: a focus session.
    - ``break``: a break.
    - ``learn``: a lesson or drill.
    - ``workout``: a workout.
    - ``listen``: critical listening, reference tracks.
    - ``reading``: reading a book.
    - ``admin``: email, uploads, release chores.
    - ``habit``: a habit's check-off.
    - ``goal``: work on a goal.
    """

    TASK = "task"
    FOCUS = "focus"
    BREAK = "break"
    LEARN = "learn"
    WORKOUT = "workout"
    LISTEN = "listen"
    READING = "reading"
    ADMIN = "admin"
    HABIT = "habit"
    GOAL = "goal"


_ITEM_KIND = Choice(PlanItemKind)


def new_item_id() -> str:
    """A fresh plan item id."""
    return uuid.uuid4().hex


def check_plan_date(day: date, today: date, field: str = "input.date") -> None:
    """Refuse a plan more than :data:`PLAN_WINDOW_DAYS` days from ``today``.

    Raises:
        InvalidInput: ``field``.
    """
    if abs((day - today).days) > PLAN_WINDOW_DAYS:
        raise InvalidInput(
            f"A plan can be set at most {PLAN_WINDOW_DAYS} days from today.", field=field
        )


def check_tick_date(day: date, today: date) -> None:
    """Refuse to tick (or untick) an item of a future day or of more than
    :data:`MAX_TICK_BACK_DAYS` days ago.

    Raises:
        InvalidInput: ``field`` ``input.date``.
    """
    if day > today:
        raise InvalidInput("An item of a future day cannot be done yet.", field="input.date")
    if (today - day).days > MAX_TICK_BACK_DAYS:
        raise InvalidInput(
            f"Items can be ticked at most {MAX_TICK_BACK_DAYS} days back.", field="input.date"
        )


def _blank(value: Any) -> bool:
    """An absent or blank optional text (a blank item id asks for a new one)."""
    return value is None or (isinstance(value, str) and not value.strip())


def clean_items(
    items: Sequence[Mapping[str, Any]], field: str = "input.items"
) -> list[dict[str, Any]]:
    """Validate the shape of a plan's new item list (before any SQL; :func:`check_done`
    compares ``done`` with the stored plan afterwards).

    Args:
        items: the items sent, each ``{id?, title, kind?, refId?, minutes?, done?}``.
        field: the list's path for the errors.

    Returns:
        The items as stored: ``{id, title, kind, refId, minutes, done}``.

    Raises:
        InvalidInput: more than :data:`MAX_ITEMS` items (``field``); an empty or overlong id
            or title, a repeated id, an unknown kind, an overlong ``refId`` or minutes outside
            1..:data:`MAX_ITEM_MINUTES`: ``field.<name>`` (the message says which item).
    """
    refuse(field, ITEMS.problem(len(items)))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        # Every item's fields share one path (the bounds' convention): the message says which.
        try:
            raw_id = item.get("id")
            item_id = check("id", ITEM_ID, None if _blank(raw_id) else raw_id, field)
            item_id = item_id or new_item_id()
            if item_id in seen:
                raise InvalidInput("ids are unique in a plan.", field=f"{field}.id")
            seen.add(item_id)
            out.append(
                {
                    "id": item_id,
                    "title": check("title", ITEM_TITLE, item.get("title"), field),
                    "kind": check("kind", _ITEM_KIND, item.get("kind") or PlanItemKind.TASK, field),
                    "refId": check("refId", REF_ID, item.get("refId"), field),
                    "minutes": check("minutes", ITEM_MINUTES, item.get("minutes"), field),
                    "done": bool(item.get("done", False)),
                }
            )
        except InvalidInput as refused:
            raise InvalidInput(f"Item {i + 1}: {refused.message}", field=refused.field) from None
    return out


def check_done(
    items: Sequence[Mapping[str, Any]], stored: Mapping[str, bool], field: str = "input.items"
) -> None:
    """Refuse a ``done`` that differs from the stored item's (false for a new item): ticking
    is :func:`~db.planning.transitions.complete_plan_item`'s.

    Raises:
        InvalidInput: ``field.done`` (the message says which item).
    """
    for i, item in enumerate(items):
        if bool(item["done"]) != stored.get(str(item["id"]), False):
            raise InvalidInput(
                f"Item {i + 1}: `done` changes with completePlanItem and uncompletePlanItem.",
                field=f"{field}.done",
            )


def stored_done(items: Sequence[Mapping[str, Any]]) -> dict[str, bool]:
    """A stored plan's item id -> done (items without an id are left out)."""
    return {str(i["id"]): bool(i.get("done", False)) for i in items if i.get("id") is not None}


def template_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A template's items as new plan items (fresh ids, not done): the title, the minutes
    when they are valid, and the kind (``task`` when the template's is not a
    :class:`PlanItemKind`); items without a title are skipped."""
    out: list[dict[str, Any]] = []
    for item in items:
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            continue
        kind = item.get("kind")
        minutes = item.get("minutes")
        out.append(
            {
                "id": new_item_id(),
                "title": title.strip()[:MAX_ITEM_TITLE],
                "kind": kind if kind in {k.value for k in PlanItemKind} else "task",
                "refId": None,
                "minutes": minutes
                if isinstance(minutes, int) and 1 <= minutes <= MAX_ITEM_MINUTES
                else None,
                "done": False,
            }
        )
    return out


def template_item_values(
    items: Sequence[Mapping[str, Any]], field: str = "input.items"
) -> list[dict[str, Any]]:
    """A template's item list as stored: ``{title, kind, minutes}`` each (the seeded shape),
    checked like a plan's items (:func:`clean_items`, at ``field``); ids and ``done`` belong
    to plans, not templates.

    Raises:
        InvalidInput: what :func:`clean_items` refuses.
    """
    return [
        {"title": i["title"], "kind": i["kind"], "minutes": i["minutes"]}
        for i in clean_items(items, field)
    ]


def find_item(items: Sequence[Mapping[str, Any]], item_id: str) -> int | None:
    """The index of the item ``item_id`` in a plan's items, None when absent."""
    return next((n for n, i in enumerate(items) if i.get("id") == item_id), None)


# ---- calendar events ------------------------------------------------------------------------


def check_timezone(name: str | None) -> None:
    """Refuse a time zone that is not an IANA name (``Europe/Berlin``).

    Raises:
        InvalidInput: ``field`` ``input.timezone``.
    """
    if name is None:
        return
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Unknown time zone {name!r}.", field="input.timezone") from None


def normalise_rule(rule: str | None, start: datetime) -> str | None:
    """An RFC 5545 RRULE value (``FREQ=WEEKLY;BYDAY=MO``, an ``RRULE:`` prefix allowed)
    parsed by python-dateutil's ``rrulestr`` with the event's start as DTSTART, upper-cased
    and without the prefix.

    Raises:
        InvalidInput: ``field`` ``input.recurrenceRule``: longer than :data:`MAX_RULE`
            characters, more than one line (DTSTART, EXDATE, ... are not taken), a rule
            ``rrulestr`` refuses, or one that gives no occurrence.
    """
    field = "input.recurrenceRule"
    text: str | None = check("recurrence_rule", RULE, rule)
    if text is None:
        return None
    if "\n" in text or "\r" in text:
        raise InvalidInput("One RRULE line (DTSTART, EXDATE, ... are not taken).", field=field)
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    text = text.upper()
    try:
        parsed = rrulestr(text, dtstart=start)
        first = parsed.after(start, inc=True)
    except (ValueError, TypeError, OverflowError):
        raise InvalidInput(
            "Not an RFC 5545 recurrence rule (e.g. `FREQ=WEEKLY;BYDAY=MO`).", field=field
        ) from None
    if first is None:
        raise InvalidInput("The rule gives no occurrence.", field=field)
    return text


def check_event_times(
    start: datetime, end: datetime | None, rule: str | None, recurrence_end: date | None
) -> None:
    """Refuse an end before the start, a recurrence end without a rule, or one before the
    start's day.

    Raises:
        InvalidInput: ``input.endTime`` or ``input.recurrenceEnd``.
    """
    if end is not None and end < start:
        raise InvalidInput("An event cannot end before it starts.", field="input.endTime")
    if recurrence_end is not None:
        if rule is None:
            raise InvalidInput(
                "Only a recurring event (with `recurrenceRule`) has a recurrence end.",
                field="input.recurrenceEnd",
            )
        if recurrence_end < start.date():
            raise InvalidInput(
                "The last occurrence cannot be before the first.", field="input.recurrenceEnd"
            )


def check_metadata(value: Any, field: str = "input.metadata") -> dict[str, Any]:
    """The event's free JSON data: an object of at most :data:`MAX_METADATA` characters as
    JSON.

    Raises:
        InvalidInput: ``field``.
    """
    if not isinstance(value, dict):
        raise InvalidInput("A JSON object.", field=field)
    refuse(field, METADATA.problem(json.dumps(value)))
    return value


# ---- the columns a client sets ---------------------------------------------------------------

#: ``daily_plans`` columns setDailyPlan sets (besides the day).
PLAN_FIELDS: dict[str, Rule] = {"notes": NOTES, "items": Shaped(clean_items)}
#: ``plan_templates`` columns a client sets (create and updatePlanTemplate).
TEMPLATE_FIELDS: dict[str, Rule] = {
    "name": TEMPLATE_NAME,
    "description": NOTES,
    "category": TEMPLATE_CATEGORY,
    "items": Shaped(template_item_values),
    "is_public": Flag(),
}
#: ``calendar_events`` columns a client sets (create and updateCalendarEvent); the times and
#: the recurrence depend on each other and are checked on the merged event
#: (:func:`check_event_times`, :func:`normalise_rule`), the links with the rows they name.
EVENT_FIELDS: dict[str, Rule] = {
    "title": EVENT_TITLE,
    "description": EVENT_DESCRIPTION,
    "event_type": Choice(CalendarEventType),
    "start_time": Moment(nullable=False),
    "end_time": Moment(),
    "all_day": Flag(),
    "timezone": TIMEZONE,
    "location": LOCATION,
    "workout_id": Ref(),
    "habit_id": Ref(),
    "goal_id": Ref(),
    "recurrence_rule": RULE,
    "recurrence_end": Moment(day=True),
    "parent_event_id": Ref(),
    "color": COLOR,
    "reminder_minutes": REMINDER_MINUTES,
    "metadata": Shaped(check_metadata),
}


__all__ = [
    "COLOR",
    "EVENT_DESCRIPTION",
    "EVENT_FIELDS",
    "EVENT_TITLE",
    "ITEMS",
    "ITEM_ID",
    "ITEM_MINUTES",
    "ITEM_TITLE",
    "LOCATION",
    "MAX_COLOR",
    "MAX_EVENT_DESCRIPTION",
    "MAX_EVENT_TITLE",
    "MAX_ITEMS",
    "MAX_ITEM_ID",
    "MAX_ITEM_MINUTES",
    "MAX_ITEM_TITLE",
    "MAX_LOCATION",
    "MAX_METADATA",
    "MAX_NOTES",
    "MAX_REF_ID",
    "MAX_REMINDER_MINUTES",
    "MAX_RULE",
    "MAX_TEMPLATE_CATEGORY",
    "MAX_TEMPLATE_NAME",
    "MAX_TICK_BACK_DAYS",
    "METADATA",
    "NOTES",
    "PLAN_FIELDS",
    "PLAN_WINDOW_DAYS",
    "REF_ID",
    "REMINDER_MINUTES",
    "RULE",
    "TEMPLATE_CATEGORY",
    "TEMPLATE_FIELDS",
    "TEMPLATE_NAME",
    "TIMEZONE",
    "PlanItemKind",
    "check_done",
    "check_event_times",
    "check_metadata",
    "check_plan_date",
    "check_tick_date",
    "check_timezone",
    "clean_items",
    "find_item",
    "new_item_id",
    "normalise_rule",
    "stored_done",
    "template_item_values",
    "template_items",
]
