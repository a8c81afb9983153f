"""Planning transitions: daily plans (set, tick and untick an item, apply a template) and
calendar events (create, update, delete); the rules are :mod:`db.planning.rules`.

Ticking a plan item advances the ``plan_items_completed`` quests by one (dated at noon UTC of
the plan's day, so it counts toward the quests of that day's period); unticking it, or
removing it from the plan while done, takes the unit back from quests not completed yet.

Lock order: the plan row, then the quest progress rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.checks import choice, not_null, text, whole
from db.errors import InvalidInput, InvalidState, NotFound
from db.ownership import lock_owned
from db.planning.models import CalendarEventType
from db.planning.rules import (
    COLOR,
    EVENT_DESCRIPTION,
    EVENT_TITLE,
    ITEM_ID,
    LOCATION,
    MAX_ITEMS,
    NOTES,
    REMINDER_MINUTES,
    TEMPLATE_CATEGORY,
    TEMPLATE_NAME,
    TIMEZONE,
    check_done,
    check_event_times,
    check_metadata,
    check_plan_date,
    check_tick_date,
    check_timezone,
    clean_items,
    find_item,
    normalise_rule,
    stored_done,
    template_item_values,
    template_items,
)
from db.quests.models import QuestTargetType
from db.quests.progress import advance_quests

#: The largest value of an int4 column (``use_count`` stops there).
INT4_MAX = 2_147_483_647

_plans = metadata.tables["daily_plans"]
_templates = metadata.tables["plan_templates"]
_events = metadata.tables["calendar_events"]


def _today() -> date:
    return datetime.now(UTC).date()


def _moment(day: date) -> datetime:
    """The moment a plan item of ``day`` counts at for quests (noon UTC that day)."""
    return datetime.combine(day, time(12), tzinfo=UTC)


async def _lock_plan(conn: AsyncConnection, user_id: uuid.UUID, day: date, *, create: bool) -> Any:
    """The user's plan of ``day``, locked ``FOR UPDATE``; created empty first when ``create``
    (``ON CONFLICT DO NOTHING``: two concurrent first writes of a day make one plan).

    Raises:
        NotFound: no plan of that day (``resource`` ``DailyPlan``) and not ``create``.
    """
    if create:
        await conn.execute(
            insert(_plans)
            .values(user_id=user_id, date=day)
            .on_conflict_do_nothing(index_elements=["user_id", "date"])
        )
    plan = (
        await conn.execute(
            sa.select(_plans)
            .where(_plans.c.user_id == user_id, _plans.c.date == day)
            .with_for_update()
        )
    ).one_or_none()
    if plan is None:
        raise NotFound("There is no plan for that day.", resource="DailyPlan")
    return plan


async def _move_units(
    conn: AsyncConnection, user_id: uuid.UUID, day: date, amount: int, kind: str | None = None
) -> None:
    await advance_quests(
        conn,
        user_id,
        target_type=QuestTargetType.PLAN_ITEMS_COMPLETED,
        amount=amount,
        attributes={"kind": kind} if kind else {},
        at=_moment(day),
    )


async def set_daily_plan(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    day: date,
    changes: Mapping[str, Any],
) -> uuid.UUID:
    """Create or replace the user's plan of ``day``: ``changes`` holds ``items`` (the whole
    new list) and/or ``notes``; what it leaves out keeps its value (a new plan: no items, no
    notes). Each item keeps its ``done``; an item removed while done takes its quest unit
    back.

    Returns:
        The plan's id.

    Raises:
        InvalidInput: a day more than a year from today (``input.date``), notes over
            :data:`~db.planning.rules.MAX_NOTES` characters (``input.notes``), a null item
            list (``input.items``), items :func:`~db.planning.rules.clean_items` refuses, or a
            ``done`` that differs from the stored one (``input.items.done``).
    """
    check_plan_date(day, _today())
    values: dict[str, Any] = {}
    if "notes" in changes:
        values["notes"] = text(changes["notes"], "input.notes", NOTES)
    items: list[dict[str, Any]] | None = None
    if "items" in changes:
        if changes["items"] is None:
            raise InvalidInput("This field cannot be null.", field="input.items")
        items = clean_items(changes["items"])
    plan = await _lock_plan(conn, user_id, day, create=True)
    if items is not None:
        before = stored_done(plan.items)
        check_done(items, before)
        kept = {str(i["id"]) for i in items}
        removed_done = sum(1 for item_id, done in before.items() if done and item_id not in kept)
        await _move_units(conn, user_id, day, -removed_done)
        values["items"] = items
    if values:
        await conn.execute(
            sa.update(_plans)
            .where(_plans.c.id == plan.id)
            .values(**values, updated_at=sa.func.now())
        )
    return uuid.UUID(str(plan.id))


async def _tick(
    conn: AsyncConnection, user_id: uuid.UUID, day: date, item_id: str, done: bool
) -> uuid.UUID:
    check_tick_date(day, _today())
    ITEM_ID.check(item_id, "input.itemId")
    plan = await _lock_plan(conn, user_id, day, create=False)
    items = [dict(i) for i in plan.items]
    index = find_item(items, item_id)
    if index is None:
        raise NotFound("The plan has no such item.", resource="PlanItem")
    item = items[index]
    if bool(item.get("done", False)) == done:
        state = "done" if done else "open"
        raise InvalidState(f"This item is {state} already.", status=state)
    item["done"] = done
    await conn.execute(
        sa.update(_plans)
        .where(_plans.c.id == plan.id)
        .values(items=items, updated_at=sa.func.now())
    )
    await _move_units(conn, user_id, day, 1 if done else -1, str(item.get("kind") or ""))
    await record_activity(
        conn,
        user_id,
        "plan.item.completed" if done else "plan.item.uncompleted",
        "planning",
        {"plan_id": str(plan.id), "item_id": item_id, "title": item.get("title")},
    )
    return uuid.UUID(str(plan.id))


async def complete_plan_item(
    conn: AsyncConnection, user_id: uuid.UUID, day: date, item_id: str
) -> uuid.UUID:
    """Tick an item of the user's plan of ``day``: ``done`` true, one ``plan_items_completed``
    quest unit (``target_config.kind`` filters on the item's kind).

    Returns:
        The plan's id.

    Raises:
        InvalidInput: ``day`` in the future or more than
            :data:`~db.planning.rules.MAX_TICK_BACK_DAYS` days ago (``input.date``), an item id
            over :data:`~db.planning.rules.MAX_ITEM_ID` characters (``input.itemId``).
        NotFound: no plan of the user that day (``DailyPlan``), no such item (``PlanItem``).
        InvalidState: the item is done already (``status`` ``done``).
    """
    return await _tick(conn, user_id, day, item_id, True)


async def uncomplete_plan_item(
    conn: AsyncConnection, user_id: uuid.UUID, day: date, item_id: str
) -> uuid.UUID:
    """Untick an item of the user's plan of ``day``: ``done`` false, its quest unit taken back
    from quests not completed yet.

    Raises:
        InvalidInput: as :func:`complete_plan_item`.
        NotFound: as :func:`complete_plan_item`.
        InvalidState: the item is not done (``status`` ``open``).
    """
    return await _tick(conn, user_id, day, item_id, False)


async def apply_plan_template(
    conn: AsyncConnection, user_id: uuid.UUID, template_id: uuid.UUID, day: date
) -> uuid.UUID:
    """Append the items of a plan template (built in, public, or the user's own) to the
    user's plan of ``day`` (created when missing), as new items not done; the template's
    ``use_count`` goes up by one.

    Returns:
        The plan's id.

    Raises:
        InvalidInput: a day more than a year from today (``date``), or a plan that would hold
            more than :data:`~db.planning.rules.MAX_ITEMS` items (``templateId``).
        NotFound: no such template the user may use (``resource`` ``PlanTemplate``).
    """
    check_plan_date(day, _today(), field="date")
    template_items_json = (
        await conn.execute(
            sa.update(_templates)
            .where(
                _templates.c.id == template_id,
                sa.or_(
                    _templates.c.user_id.is_(None),
                    _templates.c.user_id == user_id,
                    _templates.c.is_public,
                ),
            )
            .values(use_count=sa.func.least(_templates.c.use_count + 1, INT4_MAX))
            .returning(_templates.c["items"])
        )
    ).scalar_one_or_none()
    if template_items_json is None:
        raise NotFound("There is no such plan template.", resource="PlanTemplate")
    plan = await _lock_plan(conn, user_id, day, create=True)
    items = [*plan.items, *template_items(template_items_json)]
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"The plan would hold more than {MAX_ITEMS} items.", field="templateId")
    await conn.execute(
        sa.update(_plans)
        .where(_plans.c.id == plan.id)
        .values(items=items, updated_at=sa.func.now())
    )
    return uuid.UUID(str(plan.id))


# ---- plan templates ------------------------------------------------------------------------

#: The columns ``updatePlanTemplate`` may change.
TEMPLATE_FIELDS = frozenset({"name", "description", "category", "items", "is_public"})


def clean_template(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise plan template fields (a full or partial set), before any SQL.

    Raises:
        InvalidInput: an empty or overlong name, an overlong description or category, items
            :func:`~db.planning.rules.template_item_values` refuses, a null name, item list
            or ``isPublic``.
    """
    out = {k: v for k, v in values.items() if k in TEMPLATE_FIELDS}
    not_null(out, ("name", "items", "is_public"))
    if "name" in out:
        out["name"] = text(out["name"], "input.name", TEMPLATE_NAME, required=True)
    if "description" in out:
        out["description"] = text(out["description"], "input.description", NOTES)
    if "category" in out:
        out["category"] = text(out["category"], "input.category", TEMPLATE_CATEGORY)
    if "items" in out:
        out["items"] = template_item_values(out["items"])
    return out


async def create_plan_template(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Save a day-plan template of the user's (``name`` and ``items`` required;
    ``description``, ``category``, ``is_public``: other users may see and apply it).

    Returns:
        The new template's id.

    Raises:
        InvalidInput: what :func:`clean_template` refuses.
    """
    row = clean_template(values)
    for required in ("name", "items"):
        if required not in row:
            raise InvalidInput("This field is required.", field=f"input.{required}")
    template_id = (
        await conn.execute(
            sa.insert(_templates).values(user_id=user_id, **row).returning(_templates.c.id)
        )
    ).scalar_one()
    return uuid.UUID(str(template_id))


async def update_plan_template(
    conn: AsyncConnection, user_id: uuid.UUID, template_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of one of the user's templates (built-in ones are nobody's).

    Raises:
        InvalidInput: what :func:`clean_template` refuses.
        NotFound: no such template of the user (``resource`` ``PlanTemplate``).
    """
    values = clean_template(changes)
    await lock_owned(
        conn, _templates, template_id, user_id, resource="PlanTemplate", what="plan template"
    )
    if values:
        await conn.execute(
            sa.update(_templates)
            .where(_templates.c.id == template_id)
            .values(**values, updated_at=sa.func.now())
        )
    return template_id


async def delete_plan_template(
    conn: AsyncConnection, user_id: uuid.UUID, template_id: uuid.UUID
) -> uuid.UUID:
    """Delete one of the user's templates (plans made from it keep their items).

    Raises:
        NotFound: no such template of the user (``resource`` ``PlanTemplate``).
    """
    await lock_owned(
        conn, _templates, template_id, user_id, resource="PlanTemplate", what="plan template"
    )
    await conn.execute(sa.delete(_templates).where(_templates.c.id == template_id))
    return template_id


# ---- calendar events ------------------------------------------------------------------------

#: The columns ``updateCalendarEvent`` may change.
EVENT_FIELDS = frozenset(
    {
        "title",
        "description",
        "event_type",
        "start_time",
        "end_time",
        "all_day",
        "timezone",
        "location",
        "workout_id",
        "habit_id",
        "goal_id",
        "recurrence_rule",
        "recurrence_end",
        "parent_event_id",
        "color",
        "reminder_minutes",
        "metadata",
    }
)

#: Link column -> (table, GraphQL type) of the user's rows it may point to.
_LINKS: dict[str, tuple[str, str]] = {
    "workout_id": ("workouts", "Workout"),
    "habit_id": ("habits", "Habit"),
    "goal_id": ("goals", "Goal"),
    "parent_event_id": ("calendar_events", "CalendarEvent"),
}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def clean_event(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise calendar event fields (a full or partial set), before any SQL;
    times without a zone are UTC. The fields that depend on each other (times, recurrence)
    are checked by :func:`_check_whole` on the merged event.

    Raises:
        InvalidInput: an empty or overlong title, an overlong description, location or colour,
            an unknown event type or time zone, a reminder outside
            0..:data:`~db.planning.rules.MAX_REMINDER_MINUTES`, metadata that is not a small
            JSON object, a null where a value is required.
    """
    out = {k: v for k, v in values.items() if k in EVENT_FIELDS}
    not_null(out, ("title", "event_type", "start_time", "all_day", "metadata"))
    if "title" in out:
        out["title"] = text(out["title"], "input.title", EVENT_TITLE, required=True)
    if "description" in out:
        out["description"] = text(out["description"], "input.description", EVENT_DESCRIPTION)
    if "location" in out:
        out["location"] = text(out["location"], "input.location", LOCATION)
    if "color" in out:
        out["color"] = text(out["color"], "input.color", COLOR)
    if "event_type" in out:
        out["event_type"] = choice(out["event_type"], CalendarEventType, "input.eventType").value
    if "timezone" in out:
        out["timezone"] = text(out["timezone"], "input.timezone", TIMEZONE)
        check_timezone(out["timezone"])
    if "reminder_minutes" in out:
        whole(out["reminder_minutes"], "input.reminderMinutes", REMINDER_MINUTES)
    if "metadata" in out:
        out["metadata"] = check_metadata(out["metadata"])
    for moment in ("start_time", "end_time"):
        if out.get(moment) is not None:
            out[moment] = _utc(out[moment])
    return out


def _check_whole(event: Mapping[str, Any]) -> str | None:
    """Check the merged event's times and recurrence; its normalised rule."""
    rule = normalise_rule(event.get("recurrence_rule"), event["start_time"])
    check_event_times(event["start_time"], event.get("end_time"), rule, event.get("recurrence_end"))
    return rule


async def _check_links(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any], event_id: uuid.UUID | None
) -> None:
    """The linked workout, habit, goal and parent event are the user's; the parent is a
    recurring event that is no occurrence itself, and not the event.

    Raises:
        NotFound: a link to a row that is not the user's (``resource`` its type).
        InvalidInput: a parent that is the event itself or not a recurring series
            (``input.parentEventId``).
    """
    for column, (table_name, resource) in _LINKS.items():
        target = values.get(column)
        if target is None:
            continue
        table = metadata.tables[table_name]
        found = (
            await conn.execute(
                sa.select(table).where(table.c.id == target, table.c.user_id == user_id)
            )
        ).one_or_none()
        if found is None:
            raise NotFound(f"There is no such {resource}.", resource=resource)
        if column == "parent_event_id" and (
            target == event_id or found.recurrence_rule is None or found.parent_event_id is not None
        ):
            raise InvalidInput(
                "The parent is another recurring event of the viewer's, not an occurrence.",
                field="input.parentEventId",
            )


async def create_calendar_event(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Add an event to the user's calendar.

    Args:
        values: ``title`` and ``start_time`` (required) and any other column of
            :data:`EVENT_FIELDS`.

    Returns:
        The new event's id.

    Raises:
        InvalidInput: what :func:`clean_event` refuses; an end before the start, a recurrence
            rule ``rrulestr`` refuses or with no occurrence, a recurrence end without a rule or
            before the start; a bad parent.
        NotFound: a linked workout, habit, goal or parent event that is not the user's.
    """
    row = clean_event(values)
    for required in ("title", "start_time"):
        if required not in row:
            raise InvalidInput("This field is required.", field=f"input.{required}")
    row["recurrence_rule"] = _check_whole(row)
    await _check_links(conn, user_id, row, None)
    event_id = (
        await conn.execute(
            sa.insert(_events).values(user_id=user_id, **row).returning(_events.c.id)
        )
    ).scalar_one()
    return uuid.UUID(str(event_id))


async def update_calendar_event(
    conn: AsyncConnection, user_id: uuid.UUID, event_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of the user's event; the times and the recurrence are checked
    on the event as it would be.

    Raises:
        InvalidInput: as :func:`create_calendar_event`.
        NotFound: no such event of the user (``resource`` ``CalendarEvent``), or a link to a
            row that is not the user's.
    """
    values = clean_event(changes)
    event = await lock_owned(
        conn, _events, event_id, user_id, resource="CalendarEvent", what="calendar event"
    )
    merged = {**event._mapping, **values}
    if {"start_time", "recurrence_rule", "end_time", "recurrence_end"} & values.keys():
        rule = _check_whole(merged)
        if "recurrence_rule" in values:
            values["recurrence_rule"] = rule
    await _check_links(conn, user_id, values, event_id)
    if values:
        await conn.execute(
            sa.update(_events)
            .where(_events.c.id == event_id)
            .values(**values, updated_at=sa.func.now())
        )
    return event_id


async def delete_calendar_event(
    conn: AsyncConnection, user_id: uuid.UUID, event_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's event with its occurrences.

    Raises:
        NotFound: no such event of the user (``resource`` ``CalendarEvent``).
    """
    await lock_owned(
        conn, _events, event_id, user_id, resource="CalendarEvent", what="calendar event"
    )
    await conn.execute(sa.delete(_events).where(_events.c.id == event_id))
    return event_id


__all__ = [
    "EVENT_FIELDS",
    "TEMPLATE_FIELDS",
    "apply_plan_template",
    "clean_event",
    "clean_template",
    "complete_plan_item",
    "create_calendar_event",
    "create_plan_template",
    "delete_calendar_event",
    "delete_plan_template",
    "set_daily_plan",
    "uncomplete_plan_item",
    "update_calendar_event",
    "update_plan_template",
]
