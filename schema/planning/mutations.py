"""Planning mutations: the viewer's daily plans (set, tick, untick, apply a template) and
calendar events. The rules live in :mod:`db.planning.transitions` and
:mod:`db.planning.rules`; these declarations only map arguments and results."""

from __future__ import annotations

import uuid
from datetime import date as Date
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.scalars import JSON

from db.errors import InvalidState, NotFound
from db.fields import path
from db.planning import rules, transitions
from db.planning.models import CalendarEvent, CalendarEventType
from db.planning.rules import PlanItemKind
from schema.core.crud import converting, owned_mutations
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
    title: Annotated[str, rules.ITEM_TITLE] = strawberry.field(description="What to do.")
    id: Annotated[str | None, rules.ITEM_ID] = strawberry.field(
        default=None,
        description="The item's id in the plan, unique in the plan (keep it to keep the item); "
        "a new one is made when left out.",
    )
    kind: PlanItemKindEnum = strawberry.field(
        default=PlanItemKind.TASK, description="What the item is."
    )
    ref_id: Annotated[str | None, rules.REF_ID] = strawberry.field(
        default=None,
        description="The id of what the item is about (a habit, lesson, focus session, ...).",
    )
    minutes: Annotated[int | None, rules.ITEM_MINUTES] = strawberry.field(
        default=None, description="The time planned, in minutes."
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
    items: Annotated[list[PlanItemInput] | None, rules.ITEMS] = strawberry.field(
        default=strawberry.UNSET,
        description="The whole item list, in order; an item removed while done takes its "
        "quest unit back.",
    )
    notes: Annotated[str | None, rules.NOTES] = strawberry.field(
        default=strawberry.UNSET, description="Notes for the day; null clears them."
    )


@strawberry.input(description="An item of one of the viewer's daily plans.")
class PlanItemRefInput:
    date: Date = strawberry.field(
        description=f"The plan's day: today or up to {rules.MAX_TICK_BACK_DAYS} days back."
    )
    item_id: Annotated[str, rules.ITEM_ID] = strawberry.field(
        description="The item's `id` in the plan."
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
    title: Annotated[str, rules.ITEM_TITLE] = strawberry.field(description="What to do.")
    kind: PlanItemKindEnum = strawberry.field(
        default=PlanItemKind.TASK, description="What the item is."
    )
    minutes: Annotated[int | None, rules.ITEM_MINUTES] = strawberry.field(
        default=None, description="The time planned, in minutes."
    )


_TEMPLATE_ITEMS = "The items, in the order of the day."


@strawberry.input(description="A new day-plan template of the viewer's.")
class CreatePlanTemplateInput:
    name: Annotated[str, rules.TEMPLATE_NAME] = strawberry.field(description="The template's name.")
    items: Annotated[list[PlanTemplateItemInput], rules.ITEMS] = strawberry.field(
        description=_TEMPLATE_ITEMS
    )
    description: Annotated[str | None, rules.NOTES] = strawberry.field(
        default=None, description="What kind of day it plans."
    )
    category: Annotated[str | None, rules.TEMPLATE_CATEGORY] = strawberry.field(
        default=None, description="A free category."
    )
    is_public: bool = strawberry.field(
        default=False, description="Whether other users may see and apply it."
    )


@strawberry.input(
    description="The template fields to change; a field left out keeps its value, `null` "
    "clears an optional one."
)
class UpdatePlanTemplateInput:
    name: Annotated[str | None, rules.TEMPLATE_NAME] = strawberry.field(
        default=strawberry.UNSET, description="A new name."
    )
    items: Annotated[list[PlanTemplateItemInput] | None, rules.ITEMS] = strawberry.field(
        default=strawberry.UNSET, description=f"The new item list. {_TEMPLATE_ITEMS}"
    )
    description: Annotated[str | None, rules.NOTES] = strawberry.field(
        default=strawberry.UNSET, description="A description; null clears it."
    )
    category: Annotated[str | None, rules.TEMPLATE_CATEGORY] = strawberry.field(
        default=strawberry.UNSET, description="A category; null clears it."
    )
    is_public: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether other users may see and apply it."
    )


def _template_items(items: list[PlanTemplateItemInput]) -> list[dict[str, Any]]:
    """A template's items as the transitions take them."""
    return [{"title": i.title, "kind": plain(i.kind), "minutes": i.minutes} for i in items]


TemplateId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's own plan templates.")
]


TEMPLATE_MUTATIONS = owned_mutations(
    "plan_template",
    table="plan_templates",
    payload="template",
    row_id=TemplateId,
    inputs=(CreatePlanTemplateInput, UpdatePlanTemplateInput),
    create=transitions.create_plan_template,
    update=transitions.update_plan_template,
    delete=transitions.delete_plan_template,
    values=converting(items=_template_items),
    descriptions=(
        "Save a day-plan template of the viewer's (public ones other users may apply).",
        "Change some fields of one of the viewer's plan templates (built-in templates are "
        "nobody's).",
        "Delete one of the viewer's plan templates (plans made from it keep their items).",
    ),
)


# ---- calendar events ------------------------------------------------------------------------


def _doc(column: str) -> str:
    return column_doc(CalendarEvent, column)


_RULE = "An RFC 5545 RRULE value (e.g. `FREQ=WEEKLY;BYDAY=MO`), checked against `startTime`."
_LINK = "One of the viewer's {}s."


@strawberry.input(description="A new calendar event.")
class CreateCalendarEventInput:
    title: Annotated[str, rules.EVENT_TITLE] = strawberry.field(description=_doc("title"))
    start_time: datetime = strawberry.field(description=f"{_doc('start_time')} UTC without a zone.")
    end_time: datetime | None = strawberry.field(
        default=None, description=f"{_doc('end_time')} Not before `startTime`."
    )
    description: Annotated[str | None, rules.EVENT_DESCRIPTION] = strawberry.field(
        default=None, description=_doc("description")
    )
    event_type: CalendarEventTypeEnum = strawberry.field(
        default=CalendarEventType.GENERAL, description=_doc("event_type")
    )
    all_day: bool = strawberry.field(default=False, description=_doc("all_day"))
    timezone: Annotated[str | None, rules.TIMEZONE] = strawberry.field(
        default=None, description=_doc("timezone")
    )
    location: Annotated[str | None, rules.LOCATION] = strawberry.field(
        default=None, description=_doc("location")
    )
    workout_id: strawberry.ID | None = strawberry.field(
        default=None, description=_LINK.format("workout")
    )
    habit_id: strawberry.ID | None = strawberry.field(
        default=None, description=_LINK.format("habit")
    )
    goal_id: strawberry.ID | None = strawberry.field(default=None, description=_LINK.format("goal"))
    recurrence_rule: Annotated[str | None, rules.RULE] = strawberry.field(
        default=None, description=_RULE
    )
    recurrence_end: Date | None = strawberry.field(
        default=None, description=f"{_doc('recurrence_end')} Needs `recurrenceRule`."
    )
    parent_event_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The viewer's recurring event (with `recurrenceRule`) this one is an "
        "occurrence of.",
    )
    color: Annotated[str | None, rules.COLOR] = strawberry.field(
        default=None, description=_doc("color")
    )
    reminder_minutes: Annotated[int | None, rules.REMINDER_MINUTES] = strawberry.field(
        default=None, description=_doc("reminder_minutes")
    )
    metadata: Annotated[JSON | None, rules.METADATA] = strawberry.field(
        default=None, description=f"{_doc('metadata')} A JSON object; `{{}}` when left out."
    )


@strawberry.input(
    description="The event fields to change; a field left out keeps its value, `null` clears "
    "an optional one. The times and the recurrence are checked on the event as it would be."
)
class UpdateCalendarEventInput:
    title: Annotated[str | None, rules.EVENT_TITLE] = strawberry.field(
        default=strawberry.UNSET, description="A new title."
    )
    start_time: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A new start."
    )
    end_time: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A new end; null: open."
    )
    description: Annotated[str | None, rules.EVENT_DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    event_type: CalendarEventTypeEnum | None = strawberry.field(
        default=strawberry.UNSET, description="A new event type."
    )
    all_day: bool | None = strawberry.field(default=strawberry.UNSET, description="All day.")
    timezone: Annotated[str | None, rules.TIMEZONE] = strawberry.field(
        default=strawberry.UNSET, description="An IANA time zone; null clears it."
    )
    location: Annotated[str | None, rules.LOCATION] = strawberry.field(
        default=strawberry.UNSET, description="A location; null clears it."
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
    recurrence_rule: Annotated[str | None, rules.RULE] = strawberry.field(
        default=strawberry.UNSET, description=f"{_RULE} Null: a one-off."
    )
    recurrence_end: Date | None = strawberry.field(
        default=strawberry.UNSET, description="The day of the last occurrence; null clears it."
    )
    parent_event_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The recurring event this is an occurrence of."
    )
    color: Annotated[str | None, rules.COLOR] = strawberry.field(
        default=strawberry.UNSET, description="A CSS colour; null clears it."
    )
    reminder_minutes: Annotated[int | None, rules.REMINDER_MINUTES] = strawberry.field(
        default=strawberry.UNSET, description="Minutes before the start; null: no reminder."
    )
    metadata: Annotated[JSON | None, rules.METADATA] = strawberry.field(
        default=strawberry.UNSET, description="A JSON object replacing the stored one."
    )


_ID_FIELDS = ("workout_id", "habit_id", "goal_id", "parent_event_id")


def _event_values(input: Any) -> dict[str, Any]:
    """The given fields of an event input, ids as UUIDs (a malformed one is
    ``InvalidInput``)."""
    values = given_fields(input)
    for name in _ID_FIELDS:
        if values.get(name) is not None:
            values[name] = id_arg(values[name], path(name))
    return values


EventId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's calendar events.")
]


async def _create_event(conn: AsyncConnection, user_id: uuid.UUID, values: dict[str, Any]) -> Any:
    """Create the event; a null ``metadata`` is left out (the column's default, ``{}``)."""
    if values.get("metadata") is None:
        values.pop("metadata", None)
    return await transitions.create_calendar_event(conn, user_id, values)


EVENT_MUTATIONS = owned_mutations(
    "calendar_event",
    table="calendar_events",
    payload="event",
    row_id=EventId,
    inputs=(CreateCalendarEventInput, UpdateCalendarEventInput),
    create=_create_event,
    update=transitions.update_calendar_event,
    delete=transitions.delete_calendar_event,
    values=_event_values,
    errors=((NotFound,), (NotFound,), (NotFound,)),
    descriptions=(
        "Add an event to the viewer's calendar (a recurring one with an RFC 5545 RRULE).",
        "Change some fields of one of the viewer's calendar events.",
        "Delete one of the viewer's calendar events with its occurrences.",
    ),
)
