"""Planning mutations: the viewer's daily plans (set, tick, untick, apply a template) and
calendar events. The rules live in :mod:`db.planning.transitions` and
:mod:`db.planning.rules`; these declarations only map arguments and results."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from db.checks import input_field
from db.errors import InvalidState, NotFound
from db.planning import rules, transitions
from db.planning.models import CalendarEvent, CalendarEventType
from db.planning.rules import PlanItemKind
from schema.core.descriptions import column_doc
from schema.core.mutations import (
    IDEMPOTENCY_KEY,
    Ids,
    Tx,
    given_fields,
    id_arg,
    mutation,
    plain,
)
from schema.core.types import graphql_enum

PlanItemKindEnum: Any = graphql_enum(PlanItemKind)
CalendarEventTypeEnum: Any = graphql_enum(CalendarEventType)

_DAY = f"The day planned (UTC calendar day), at most {rules.PLAN_WINDOW_DAYS} days from today."


@strawberry.input(description="An item of a daily plan.")
class PlanItemInput:
    title: str = strawberry.field(
        description=f"What to do, 1 to {rules.MAX_ITEM_TITLE} characters."
    )
    id: str | None = strawberry.field(
        default=None,
        description=f"The item's id in the plan, 1 to {rules.MAX_ITEM_ID} characters, unique in "
        "the plan (keep it to keep the item); a new one is made when left out.",
    )
    kind: PlanItemKindEnum = strawberry.field(
        default=PlanItemKind.TASK, description="What the item is."
    )
    ref_id: str | None = strawberry.field(
        default=None,
        description="The id of what the item is about (a habit, lesson, focus session, ...), at "
        f"most {rules.MAX_REF_ID} characters.",
    )
    minutes: int | None = strawberry.field(
        default=None, description=f"The time planned, 1 to {rules.MAX_ITEM_MINUTES:,} minutes."
    )
    done: bool = strawberry.field(
        default=False,
        description="Whether it is done: as stored (false for a new item); it changes with "
        "`completePlanItem` and `uncompletePlanItem`.",
    )


@strawberry.input(
    description="The viewer's plan of a day; a field left out keeps its value (a new plan has "
    "no items and no notes)."
)
class SetDailyPlanInput:
    date: Date = strawberry.field(description=_DAY)
    items: list[PlanItemInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"The whole item list, in order, at most {rules.MAX_ITEMS} items; an item "
        "removed while done takes its quest unit back.",
    )
    notes: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Notes for the day, at most {rules.MAX_NOTES:,} characters; null clears them.",
    )


@strawberry.input(description="An item of one of the viewer's daily plans.")
class PlanItemRefInput:
    date: Date = strawberry.field(
        description=f"The plan's day: today or up to {rules.MAX_TICK_BACK_DAYS} days back."
    )
    item_id: str = strawberry.field(
        description=f"The item's `id` in the plan, 1 to {rules.MAX_ITEM_ID} characters."
    )


@strawberry.input(description="An item of one of the viewer's daily plans to tick.")
class CompletePlanItemInput(PlanItemRefInput):
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


def _item(item: PlanItemInput) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "kind": plain(item.kind),
        "refId": item.ref_id,
        "minutes": item.minutes,
        "done": item.done,
    }


@mutation(
    description="Create or replace the viewer's plan of a day (its items and notes).",
    returns={"plan": "daily_plans"},
)
async def set_daily_plan(tx: Tx, input: SetDailyPlanInput) -> Ids:
    changes = given_fields(input)
    day = changes.pop("date")
    if changes.get("items") is not None:
        changes["items"] = [_item(i) for i in input.items or []]
    return {"plan": await transitions.set_daily_plan(tx.conn, tx.viewer.user_id, day, changes)}


@mutation(
    description="Tick an item of one of the viewer's daily plans (today or up to a week back): "
    "the plan-item quests advance by one.",
    returns={"plan": "daily_plans"},
    errors=(NotFound, InvalidState),
    idempotent=True,
)
async def complete_plan_item(tx: Tx, input: CompletePlanItemInput) -> Ids:
    plan = await transitions.complete_plan_item(
        tx.conn, tx.viewer.user_id, input.date, input.item_id
    )
    return {"plan": plan}


@mutation(
    description="Untick an item of one of the viewer's daily plans: its quest unit is taken "
    "back from the quests not completed yet.",
    returns={"plan": "daily_plans"},
    errors=(NotFound, InvalidState),
)
async def uncomplete_plan_item(tx: Tx, input: PlanItemRefInput) -> Ids:
    plan = await transitions.uncomplete_plan_item(
        tx.conn, tx.viewer.user_id, input.date, input.item_id
    )
    return {"plan": plan}


@mutation(
    description="Append the items of a plan template (built in, public or the viewer's own) to "
    "the viewer's plan of a day, created when missing.",
    returns={"plan": "daily_plans", "template": "plan_templates"},
    errors=(NotFound,),
    args={
        "template_id": "The template (`PlanTemplate.id`).",
        "date": _DAY,
    },
)
async def apply_plan_template(tx: Tx, template_id: strawberry.ID, date: Date) -> Ids:
    template = id_arg(template_id, "templateId")
    plan = await transitions.apply_plan_template(tx.conn, tx.viewer.user_id, template, date)
    return {"plan": plan, "template": template}


# ---- plan templates ------------------------------------------------------------------------


@strawberry.input(description="An item of a plan template (a plan made from it gets it, not done).")
class PlanTemplateItemInput:
    title: str = strawberry.field(
        description=f"What to do, 1 to {rules.MAX_ITEM_TITLE} characters."
    )
    kind: PlanItemKindEnum = strawberry.field(
        default=PlanItemKind.TASK, description="What the item is."
    )
    minutes: int | None = strawberry.field(
        default=None, description=f"The time planned, 1 to {rules.MAX_ITEM_MINUTES:,} minutes."
    )


_TEMPLATE_ITEMS = f"The items, in the order of the day, at most {rules.MAX_ITEMS}."


@strawberry.input(description="A new day-plan template of the viewer's.")
class CreatePlanTemplateInput:
    name: str = strawberry.field(
        description=f"The template's name, 1 to {rules.MAX_TEMPLATE_NAME} characters."
    )
    items: list[PlanTemplateItemInput] = strawberry.field(description=_TEMPLATE_ITEMS)
    description: str | None = strawberry.field(
        default=None,
        description=f"What kind of day it plans, at most {rules.MAX_NOTES:,} characters.",
    )
    category: str | None = strawberry.field(
        default=None,
        description=f"A free category, at most {rules.MAX_TEMPLATE_CATEGORY} characters.",
    )
    is_public: bool = strawberry.field(
        default=False, description="Whether other users may see and apply it."
    )


@strawberry.input(
    description="The template fields to change; a field left out keeps its value, `null` "
    "clears an optional one."
)
class UpdatePlanTemplateInput:
    name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A new name, 1 to {rules.MAX_TEMPLATE_NAME} characters.",
    )
    items: list[PlanTemplateItemInput] | None = strawberry.field(
        default=strawberry.UNSET, description=f"The new item list. {_TEMPLATE_ITEMS}"
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A description (at most {rules.MAX_NOTES:,} characters); null clears it.",
    )
    category: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A category (at most {rules.MAX_TEMPLATE_CATEGORY} characters); null "
        "clears it.",
    )
    is_public: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether other users may see and apply it."
    )


def _template_values(input: Any) -> dict[str, Any]:
    values = given_fields(input)
    if values.get("items") is not None:
        values["items"] = [
            {"title": i.title, "kind": plain(i.kind), "minutes": i.minutes} for i in input.items
        ]
    return values


TemplateId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's own plan templates.")
]


@mutation(
    description="Save a day-plan template of the viewer's (public ones other users may apply).",
    returns={"template": "plan_templates"},
)
async def create_plan_template(tx: Tx, input: CreatePlanTemplateInput) -> Ids:
    template = await transitions.create_plan_template(
        tx.conn, tx.viewer.user_id, _template_values(input)
    )
    return {"template": template}


@mutation(
    description="Change some fields of one of the viewer's plan templates (built-in templates "
    "are nobody's).",
    returns={"template": "plan_templates"},
    errors=(NotFound,),
)
async def update_plan_template(tx: Tx, id: TemplateId, input: UpdatePlanTemplateInput) -> Ids:
    template = await transitions.update_plan_template(
        tx.conn, tx.viewer.user_id, id_arg(id, "id"), _template_values(input)
    )
    return {"template": template}


@mutation(
    description="Delete one of the viewer's plan templates (plans made from it keep their items).",
    returns={"deleted_template_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_template_id": "The id the deleted template had (`PlanTemplate.id`)."},
)
async def delete_plan_template(tx: Tx, id: TemplateId) -> Ids:
    return {
        "deleted_template_id": await transitions.delete_plan_template(
            tx.conn, tx.viewer.user_id, id_arg(id, "id")
        )
    }


# ---- calendar events ------------------------------------------------------------------------


def _doc(column: str) -> str:
    return column_doc(CalendarEvent, column)


_RULE = (
    f"An RFC 5545 RRULE value (e.g. `FREQ=WEEKLY;BYDAY=MO`; at most {rules.MAX_RULE} "
    "characters), checked against `startTime`."
)
_LINK = "One of the viewer's {}s."


@strawberry.input(description="A new calendar event.")
class CreateCalendarEventInput:
    title: str = strawberry.field(
        description=f"{_doc('title')} 1 to {rules.MAX_EVENT_TITLE} characters."
    )
    start_time: datetime = strawberry.field(description=f"{_doc('start_time')} UTC without a zone.")
    end_time: datetime | None = strawberry.field(
        default=None, description=f"{_doc('end_time')} Not before `startTime`."
    )
    description: str | None = strawberry.field(
        default=None,
        description=f"{_doc('description')} At most {rules.MAX_EVENT_DESCRIPTION:,} characters.",
    )
    event_type: CalendarEventTypeEnum = strawberry.field(
        default=CalendarEventType.GENERAL, description=_doc("event_type")
    )
    all_day: bool = strawberry.field(default=False, description=_doc("all_day"))
    timezone: str | None = strawberry.field(
        default=None, description=f"{_doc('timezone')} At most 64 characters."
    )
    location: str | None = strawberry.field(
        default=None, description=f"{_doc('location')} At most {rules.MAX_LOCATION} characters."
    )
    workout_id: strawberry.ID | None = strawberry.field(
        default=None, description=_LINK.format("workout")
    )
    habit_id: strawberry.ID | None = strawberry.field(
        default=None, description=_LINK.format("habit")
    )
    goal_id: strawberry.ID | None = strawberry.field(default=None, description=_LINK.format("goal"))
    recurrence_rule: str | None = strawberry.field(default=None, description=_RULE)
    recurrence_end: Date | None = strawberry.field(
        default=None, description=f"{_doc('recurrence_end')} Needs `recurrenceRule`."
    )
    parent_event_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The viewer's recurring event (with `recurrenceRule`) this one is an "
        "occurrence of.",
    )
    color: str | None = strawberry.field(
        default=None, description=f"{_doc('color')} At most {rules.MAX_COLOR} characters."
    )
    reminder_minutes: int | None = strawberry.field(
        default=None,
        description=f"{_doc('reminder_minutes')} 0 to {rules.MAX_REMINDER_MINUTES:,}.",
    )
    metadata: JSON | None = strawberry.field(
        default=None,
        description=f"{_doc('metadata')} A JSON object of at most {rules.MAX_METADATA:,} "
        "characters; `{}` when left out.",
    )


@strawberry.input(
    description="The event fields to change; a field left out keeps its value, `null` clears "
    "an optional one. The times and the recurrence are checked on the event as it would be."
)
class UpdateCalendarEventInput:
    title: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A new title, 1 to {rules.MAX_EVENT_TITLE} characters.",
    )
    start_time: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A new start."
    )
    end_time: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A new end; null: open."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A new description (at most {rules.MAX_EVENT_DESCRIPTION:,} characters); "
        "null clears it.",
    )
    event_type: CalendarEventTypeEnum | None = strawberry.field(
        default=strawberry.UNSET, description="A new event type."
    )
    all_day: bool | None = strawberry.field(default=strawberry.UNSET, description="All day.")
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An IANA time zone (at most 64 characters); null clears it.",
    )
    location: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A location (at most {rules.MAX_LOCATION} characters); null clears it.",
    )
    workout_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A workout of the viewer's; null unlinks."
    )
    habit_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A habit of the viewer's; null unlinks."
    )
    goal_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A goal of the viewer's; null unlinks."
    )
    recurrence_rule: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"{_RULE} Null: a one-off."
    )
    recurrence_end: Date | None = strawberry.field(
        default=strawberry.UNSET, description="The day of the last occurrence; null clears it."
    )
    parent_event_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The recurring event this is an occurrence of."
    )
    color: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A CSS colour (at most {rules.MAX_COLOR} characters); null clears it.",
    )
    reminder_minutes: int | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Minutes before the start, 0 to {rules.MAX_REMINDER_MINUTES:,}; null: no "
        "reminder.",
    )
    metadata: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A JSON object (at most {rules.MAX_METADATA:,} characters) replacing the "
        "stored one.",
    )


_ID_FIELDS = ("workout_id", "habit_id", "goal_id", "parent_event_id")


def _event_values(input: Any) -> dict[str, Any]:
    """The given fields of an event input, ids as UUIDs (a malformed one is
    ``InvalidInput``)."""
    values = given_fields(input)
    for name in _ID_FIELDS:
        if values.get(name) is not None:
            values[name] = id_arg(values[name], input_field(name))
    return values


EventId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's calendar events.")
]


@mutation(
    description="Add an event to the viewer's calendar (a recurring one with an RFC 5545 RRULE).",
    returns={"event": "calendar_events"},
    errors=(NotFound,),
)
async def create_calendar_event(tx: Tx, input: CreateCalendarEventInput) -> Ids:
    values = _event_values(input)
    if values.get("metadata") is None:
        values.pop("metadata", None)  # the column's default, {}
    event = await transitions.create_calendar_event(tx.conn, tx.viewer.user_id, values)
    return {"event": event}


@mutation(
    description="Change some fields of one of the viewer's calendar events.",
    returns={"event": "calendar_events"},
    errors=(NotFound,),
)
async def update_calendar_event(tx: Tx, id: EventId, input: UpdateCalendarEventInput) -> Ids:
    event = await transitions.update_calendar_event(
        tx.conn, tx.viewer.user_id, id_arg(id, "id"), _event_values(input)
    )
    return {"event": event}


@mutation(
    description="Delete one of the viewer's calendar events with its occurrences.",
    returns={"deleted_event_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_event_id": "The id the deleted event had (`CalendarEvent.id`)."},
)
async def delete_calendar_event(tx: Tx, id: EventId) -> Ids:
    return {
        "deleted_event_id": await transitions.delete_calendar_event(
            tx.conn, tx.viewer.user_id, id_arg(id, "id")
        )
    }
