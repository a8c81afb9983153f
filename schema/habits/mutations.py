"""Habit mutations: the viewer's habits and their check-offs. The rules live in
:mod:`db.habits.transitions` and :mod:`db.habits.rules`; these declarations only map arguments
and results."""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated, Any

import strawberry

from db.errors import AlreadyCompleted, InsufficientFunds, InvalidState, NotFound
from db.habits import transitions
from db.habits.models import Habit, HabitFrequency
from db.habits.rules import (
    COLOR,
    DESCRIPTION,
    ICON,
    MAX_BACKDATE_DAYS,
    MAX_WEEKLY_TARGET,
    NAME,
    SORT_ORDER,
    TARGET_COUNT,
    WEEKDAY,
    WEEKDAYS,
)
from schema.core.crud import owned_mutations, spread
from schema.core.descriptions import column_doc
from schema.core.mutations import IdempotencyKey, Ids, Tx, id_arg, mutation
from schema.core.types import graphql_enum

HabitFrequencyEnum: Any = graphql_enum(HabitFrequency)

HabitId = Annotated[strawberry.ID, strawberry.argument(description="One of the viewer's habits.")]


def _doc(column: str) -> str:
    """The model's text of a ``habits`` column (the input field mirrors it)."""
    return column_doc(Habit, column)


_SETTINGS = (
    "`frequency` DAILY and CUSTOM habits are done once per day (`targetCount` 1; CUSTOM on its "
    f"`customDays`, 0 = Sunday ... 6 = Saturday), WEEKLY ones 1 to {MAX_WEEKLY_TARGET} times "
    "a week."
)


@strawberry.input(description=f"A new habit. {_SETTINGS}")
class CreateHabitInput:
    name: Annotated[str, NAME] = strawberry.field(description=_doc("name"))
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=None, description=_doc("description")
    )
    frequency: HabitFrequencyEnum = strawberry.field(
        default=HabitFrequency.DAILY, description=_doc("frequency")
    )
    target_count: Annotated[int, TARGET_COUNT] = strawberry.field(
        default=1, description=_doc("target_count")
    )
    custom_days: Annotated[list[int], WEEKDAY, WEEKDAYS] = strawberry.field(
        default_factory=list, description=_doc("custom_days")
    )
    icon: Annotated[str | None, ICON] = strawberry.field(
        default=None, description=f"{_doc('icon')} For example `music`."
    )
    color: Annotated[str | None, COLOR] = strawberry.field(
        default=None, description=f"{_doc('color')} For example `#7c3aed`."
    )
    sort_order: Annotated[int | None, SORT_ORDER] = strawberry.field(
        default=None, description=f"{_doc('sort_order')} After the others by default."
    )


@strawberry.input(
    description="The fields to change; a field left out keeps its value, `null` clears an "
    f"optional one. {_SETTINGS}"
)
class UpdateHabitInput:
    name: Annotated[str | None, NAME] = strawberry.field(
        default=strawberry.UNSET, description="A new name."
    )
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    frequency: HabitFrequencyEnum | None = strawberry.field(
        default=strawberry.UNSET, description="A new frequency (the streaks are recomputed)."
    )
    target_count: Annotated[int | None, TARGET_COUNT] = strawberry.field(
        default=strawberry.UNSET, description="Completions per period."
    )
    custom_days: Annotated[list[int] | None, WEEKDAY, WEEKDAYS] = strawberry.field(
        default=strawberry.UNSET, description="Weekdays of a CUSTOM habit (0 = Sunday)."
    )
    icon: Annotated[str | None, ICON] = strawberry.field(
        default=strawberry.UNSET, description="An icon name; null clears it."
    )
    color: Annotated[str | None, COLOR] = strawberry.field(
        default=strawberry.UNSET, description="A new color; null clears it."
    )
    is_active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="False archives the habit (no more check-offs)."
    )
    sort_order: Annotated[int | None, SORT_ORDER] = strawberry.field(
        default=strawberry.UNSET, description="Position among the habits."
    )


HABIT_MUTATIONS = owned_mutations(
    "habit",
    table="habits",
    row_id=HabitId,
    inputs=(CreateHabitInput, UpdateHabitInput),
    create=spread(transitions.create_habit),
    update=transitions.update_habit,
    delete=transitions.delete_habit,
    descriptions=(
        "Create a habit.",
        "Change some fields of one of the viewer's habits; a change of frequency, target or "
        "custom days recomputes its streaks.",
        "Delete one of the viewer's habits with its completions (the rewards they paid stay).",
    ),
)


@mutation(
    description="Check off a habit for a day (default today, UTC; at most "
    f"{MAX_BACKDATE_DAYS} days back, never in the future): once per period, paid through the "
    "points ledger (5 XP, 2 coins, a Discipline star every 5th time), streaks updated, habit "
    "quests advanced, achievements evaluated.",
    returns={
        "completion": "habit_completions",
        "habit": "habits",
        "wallet": "user_wallet",
        "unlocked_achievements": ["user_achievements"],
    },
    errors=(NotFound, InvalidState, AlreadyCompleted),
    idempotent=True,
)
async def complete_habit(
    tx: Tx,
    habit_id: HabitId,
    idempotency_key: IdempotencyKey,
    date: Annotated[
        Date | None,
        strawberry.argument(description="The day it was done (UTC); today when left out."),
    ] = None,
) -> Ids:
    done = await transitions.complete_habit(
        tx.conn, tx.viewer.user_id, id_arg(habit_id, "habitId"), date
    )
    return {
        "completion": done.completion_id,
        "habit": done.habit_id,
        "wallet": done.posting.wallet.id,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
    }


@mutation(
    description="Undo a habit completion: its reward is taken back through the points ledger "
    "(refused with InsufficientFunds when its coins were spent) and the streaks recomputed.",
    returns={"habit": "habits", "wallet": "user_wallet"},
    errors=(NotFound, InsufficientFunds),
)
async def uncomplete_habit(
    tx: Tx,
    completion_id: Annotated[
        strawberry.ID, strawberry.argument(description="The habit completion to undo.")
    ],
) -> Ids:
    undone = await transitions.uncomplete_habit(
        tx.conn, tx.viewer.user_id, id_arg(completion_id, "completionId")
    )
    return {"habit": undone.habit_id, "wallet": undone.posting.wallet.id}
