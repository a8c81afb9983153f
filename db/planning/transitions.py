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
from db.errors import InvalidInput, InvalidState, NotFound
from db.fields import check, clean
from db.ownership import delete_owned, lock_owned, set_columns, update_owned
from db.planning.rules import (
    EVENT_FIELDS,
    ITEM_ID,
    MAX_ITEMS,
    PLAN_FIELDS,
    TEMPLATE_FIELDS,
    check_done,
    check_event_times,
    check_plan_date,
    check_tick_date,
    check_timezone,
    find_item,
    normalise_rule,
    stored_done,
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
    values = clean(changes, PLAN_FIELDS)
    plan = await _lock_plan(conn, user_id, day, create=True)
    if "items" in values:
        before = stored_done(plan.items)
        check_done(values["items"], before)
        kept = {str(i["id"]) for i in values["items"]}
        removed_done = sum(1 for item_id, done in before.items() if done and item_id not in kept)
        await _move_units(conn, user_id, day, -removed_done)
    await set_columns(conn, _plans, plan.id, values)
    return uuid.UUID(str(plan.id))


async def _tick(
    conn: AsyncConnection, user_id: uuid.UUID, day: date, item_id: str, done: bool
) -> uuid.UUID:
    check_tick_date(day, _today())
    check("item_id", ITEM_ID, item_id)
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


async def create_plan_template(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Save a day-plan template of the user's (``name`` and ``items`` required;
    ``description``, ``category``, ``is_public``: other users may see and apply it).

    Returns:
        The new template's id.

    Raises:
        InvalidInput: what :data:`~db.planning.rules.TEMPLATE_FIELDS` refuse (the name and
            the items required).
    """
    row = clean(values, TEMPLATE_FIELDS, required=("name", "items"))
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
        InvalidInput: what :data:`~db.planning.rules.TEMPLATE_FIELDS` refuse.
        NotFound: no such template of the user (``resource`` ``PlanTemplate``).
    """
    values = clean(changes, TEMPLATE_FIELDS)
    await update_owned(
        conn,
        _templates,
        template_id,
        user_id,
        values,
        resource="PlanTemplate",
        what="plan template",
    )
    return template_id


async def delete_plan_template(
    conn: AsyncConnection, user_id: uuid.UUID, template_id: uuid.UUID
) -> uuid.UUID:
    """Delete one of the user's templates (plans made from it keep their items).

    Raises:
        NotFound: no such template of the user (``resource`` ``PlanTemplate``).
    """
    await delete_owned(
        conn, _templates, template_id, user_id, resource="PlanTemplate", what="plan template"
    )
    return template_id


# ---- calendar events ------------------------------------------------------------------------

#: Link column -> (table, GraphQL type) of the user's rows it may point to.
_LINKS: dict[str, tuple[str, str]] = {
    "workout_id": ("workouts", "Workout"),
    "habit_id": ("habits", "Habit"),
    "goal_id": ("goals", "Goal"),
    "parent_event_id": ("calendar_events", "CalendarEvent"),
}


def clean_event(values: Mapping[str, Any], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate and normalise calendar event fields (a full or partial set) by the rules of
    :data:`~db.planning.rules.EVENT_FIELDS`, before any SQL; times without a zone are UTC.
    The fields that depend on each other (times, recurrence) are checked by
    :func:`_check_whole` on the merged event.

    Raises:
        InvalidInput: an empty or overlong title, an overlong description, location or colour,
            an unknown event type or time zone, a reminder outside
            0..:data:`~db.planning.rules.MAX_REMINDER_MINUTES`, metadata that is not a small
            JSON object, a null where a value is required, a ``required`` column missing.
    """
    out = clean(values, EVENT_FIELDS, required=required)
    check_timezone(out.get("timezone"))
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
    row = clean_event(values, required=("title", "start_time"))
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
    await set_columns(conn, _events, event_id, values)
    return event_id


async def delete_calendar_event(
    conn: AsyncConnection, user_id: uuid.UUID, event_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's event with its occurrences.

    Raises:
        NotFound: no such event of the user (``resource`` ``CalendarEvent``).
    """
    await delete_owned(
        conn, _events, event_id, user_id, resource="CalendarEvent", what="calendar event"
    )
    return event_id


__all__ = [
    "apply_plan_template",
    "clean_event",
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
