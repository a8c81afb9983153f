"""Today: the viewer's settings with their defaults (``User.settings``), the home screen's
state and next action (``User.today``), and the writes that feed them (settings, onboarding,
interests, seen achievements)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Optional, Union

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from db import metadata
from db.platform.models import OnboardingStatus
from db.settings import REGISTRY, effective
from db.today.rules import Item, NextActionKind, TodayState, resolve_next_action
from db.today.state import read_today
from schema.core.fields import generated_field
from schema.core.spec import AddedField, Domain, RowField, TableSpec
from schema.core.types import graphql_enum

if TYPE_CHECKING:
    from schema.core.context import Context

_settings = metadata.tables["user_settings"]


@strawberry.type(description="One known setting of the viewer, with its default filled in.")
class SettingValue:
    key: str = strawberry.field(description="The setting's key (`timezone`, `nudge_intensity`).")
    value: JSON = strawberry.field(description="Its value: the stored one, else the default.")
    is_default: bool = strawberry.field(
        description="True when the user never set it (or its stored value is no longer valid)."
    )
    kind: str = strawberry.field(
        description="The JSON type of the value: string, integer, boolean."
    )
    default: JSON = strawberry.field(description="The value a user who never set it has.")
    allowed_values: list[str] = strawberry.field(
        description="For a string setting with a fixed set, the values allowed (else empty)."
    )
    minimum: int | None = strawberry.field(description="For an integer setting, its minimum.")
    maximum: int | None = strawberry.field(description="For an integer setting, its maximum.")
    description: str = strawberry.field(description="What the setting means.")


def viewer_is(root: Any, info: strawberry.Info) -> bool:
    """Whether the ``User`` row ``root`` is the signed-in viewer's own (the personal fields
    answer null on anyone else's row, e.g. in the admin's ``users`` list)."""
    ctx: Context = info.context
    return ctx.viewer is not None and ctx.viewer.user_id == root.id


async def stored_settings(ctx: Context, user_id: Any) -> dict[str, Any]:
    """The user's ``user_settings`` rows as key -> JSON value (one statement)."""
    rows = await ctx.reader.fetch(
        sa.select(_settings.c.key, _settings.c.value).where(_settings.c.user_id == user_id)
    )
    return {row.key: row.value for row in rows}


def _settings_field(factory: Any) -> Any:
    async def settings(root: Any, info: strawberry.Info) -> list[SettingValue] | None:
        if not viewer_is(root, info):
            return None
        stored = await stored_settings(info.context, root.id)
        values = effective(stored)
        return [
            SettingValue(
                key=key,
                value=value,
                is_default=key not in stored or stored[key] != value,
                kind=REGISTRY[key].kind,
                default=REGISTRY[key].default,
                allowed_values=list(REGISTRY[key].allowed),
                minimum=REGISTRY[key].minimum,
                maximum=REGISTRY[key].maximum,
                description=REGISTRY[key].description,
            )
            for key, value in values.items()
        ]

    return strawberry.field(
        resolver=settings,
        description="Every known setting of the viewer, stored or default (null on another "
        "user's row).",
    )


# ---- Today -----------------------------------------------------------------------------

OnboardingStatusEnum: Any = graphql_enum(OnboardingStatus)
NextActionKindEnum: Any = graphql_enum(NextActionKind)


@strawberry.type(description="A habit due today (or this week, for a weekly habit).")
class TodayHabit:
    id: strawberry.ID = strawberry.field(description="The habit (`Habit.id`).")
    name: str = strawberry.field(description="The habit's name.")
    done: bool = strawberry.field(description="Whether today's (or this week's) target is met.")
    completions: int = strawberry.field(description="Completions today (this week if weekly).")
    target: int = strawberry.field(description="Completions the period takes.")


@strawberry.type(description="An open item of today's plan.")
class TodayPlanItem:
    plan_id: strawberry.ID = strawberry.field(description="The plan (`DailyPlan.id`).")
    index: int = strawberry.field(description="The item's position in the plan's items, from 0.")
    item_id: str | None = strawberry.field(description="The item's own id, if it has one.")
    title: str = strawberry.field(description="The item's title.")


@strawberry.type(description="A universal quest the viewer accepted.")
class TodayQuest:
    id: strawberry.ID = strawberry.field(description="The progress row (`UserQuestProgress.id`).")
    title: str = strawberry.field(description="The quest's title.")
    progress: int = strawberry.field(description="Units done.")
    target: int = strawberry.field(description="Units the quest takes.")


@strawberry.type(description="A row Today points at: its id and title.")
class TodayRow:
    id: strawberry.ID = strawberry.field(description="The row's id.")
    title: str = strawberry.field(description="Its title for people.")


@strawberry.type(description="An unlocked achievement not marked seen yet.")
class TodayAchievement:
    id: strawberry.ID = strawberry.field(description="The unlock (`UserAchievement.id`).")
    key: str = strawberry.field(description="The achievement's key.")
    name: str = strawberry.field(description="The achievement's name.")
    earned_at: datetime = strawberry.field(description="When it was unlocked.")


@strawberry.type(description="An enabled Today module.")
class TodayModule:
    name: str = strawberry.field(description="The module (`focus`, `habits`, ...).")
    weight: int = strawberry.field(description="Its weight, 0 to 100 (higher first).")


class _Cast:
    """A record marked as an instance of a generated type, for a union of them."""

    __slots__ = ("__as_strawberry_type__", "_row")

    def __init__(self, row: Any, type_: type) -> None:
        object.__setattr__(self, "_row", row)
        object.__setattr__(self, "__as_strawberry_type__", type_)

    def __getattr__(self, name: str) -> Any:
        return getattr(object.__getattribute__(self, "_row"), name)


#: The tables a next action may point at.
TARGET_TABLES = (
    "user_onboarding_state",
    "focus_sessions",
    "user_quest_progress",
    "habits",
    "daily_plans",
    "user_lesson_progress",
)


def _today_type(factory: Any) -> type:
    """``TodayUserState`` and ``NextAction`` over this build's generated types."""
    members = tuple(factory.types[t] for t in TARGET_TABLES)
    Target: Any = Annotated[
        Union[members],  # noqa: UP007 - a runtime tuple of types
        strawberry.union(
            "NextActionTarget",
            description="The row a next action points at.",
        ),
    ]

    async def resolve_target(self: Any, info: strawberry.Info) -> Any:
        item = self._target
        if item is None:
            return None
        table = factory.catalog[item.table]
        ctx: Context = info.context
        row = await ctx.loaders.row_by(table, table.table.c.id).load(item.id)
        return None if row is None else _Cast(row, factory.types[item.table])

    class _NextAction:
        kind: NextActionKindEnum = strawberry.field(description="What to do.")
        title: str = strawberry.field(description="What to do, in words for people.")
        reason: str = strawberry.field(description="Why, in words for people.")
        duration_seconds: int | None = strawberry.field(
            description="For START_FOCUS and WELCOME_BACK, the session's length in seconds."
        )
        plan_item_index: int | None = strawberry.field(
            description="For COMPLETE_PLAN_ITEM, the item's position in the plan's items."
        )
        _target: strawberry.Private[Item | None]
        target = generated_field(
            resolve_target,
            Optional[Target],  # noqa: UP045 - a runtime union
            description="The row it points at (onboarding state, focus session, quest "
            "progress, habit, daily plan, lesson progress); null for START_FOCUS, WELCOME_BACK "
            "and NOTHING.",
        )

    NextActionType: Any = strawberry.type(
        _NextAction,
        name="NextAction",
        description="What Today proposes to do next: the first that applies of "
        "CONTINUE_ONBOARDING, RESUME_FOCUS, CLAIM_QUEST_REWARD, WELCOME_BACK, COMPLETE_HABIT, "
        "COMPLETE_PLAN_ITEM, CONTINUE_LESSON, START_FOCUS (nudges off: the first two only; a "
        "disabled module: none of its kinds).",
    )

    class _TodayUserState:
        local_date: date = strawberry.field(description="Today in the viewer's timezone.")
        days_since_last_activity: int | None = strawberry.field(
            description="Whole local days since the last activity; null when never active."
        )
        onboarding_status: OnboardingStatusEnum | None = strawberry.field(
            description="Where the viewer is in onboarding; null without an onboarding state."
        )
        focus_session: TodayRow | None = strawberry.field(
            description="The running or paused focus session (`FocusSession.id`)."
        )
        focus_minutes_today: int = strawberry.field(
            description="Minutes focused in focus sessions completed today (local day)."
        )
        daily_focus_goal_minutes: int = strawberry.field(description="The daily goal, minutes.")
        default_focus_duration: int = strawberry.field(
            description="The default session length, seconds."
        )
        habits_due_today: list[TodayHabit] = strawberry.field(
            description="Active habits due today, by sort order, done or not."
        )
        open_plan_items: list[TodayPlanItem] = strawberry.field(
            description="Today's plan items not done, in plan order."
        )
        claimable_quests: list[TodayQuest] = strawberry.field(
            description="Quests completed whose reward is not claimed."
        )
        quests_in_progress: list[TodayQuest] = strawberry.field(
            description="Quests accepted, not completed."
        )
        lesson_in_progress: TodayRow | None = strawberry.field(
            description="The lesson most recently started and not completed "
            "(`UserLessonProgress.id`)."
        )
        current_streak: int = strawberry.field(description="Days in a row with activity.")
        unseen_achievements: list[TodayAchievement] = strawberry.field(
            description="Unlocked achievements not marked seen (`markAchievementsSeen`)."
        )
        modules: list[TodayModule] = strawberry.field(
            description="The enabled modules, highest weight first."
        )
        next_action: Any = strawberry.field(
            graphql_type=NextActionType, description="What to do next."
        )

    TodayUserState: Any = strawberry.type(
        _TodayUserState,
        name="TodayUserState",
        # The rule's source: Ignition specification, "Today Resolution Flow" (db/today/rules.py).
        description="The viewer's home screen: the day in their timezone and what is on it.",
    )

    def build(state: TodayState) -> Any:
        action = resolve_next_action(state)
        lesson = state.lessons[0] if state.lessons else None
        return TodayUserState(
            local_date=state.local_date,
            days_since_last_activity=state.days_since_activity,
            onboarding_status=None
            if state.onboarding_status is None
            else OnboardingStatus(state.onboarding_status),
            focus_session=_row(state.focus),
            focus_minutes_today=state.focus_minutes_today,
            daily_focus_goal_minutes=state.daily_focus_goal_minutes,
            default_focus_duration=state.default_focus_duration,
            habits_due_today=[
                TodayHabit(
                    id=strawberry.ID(str(h.id)),
                    name=h.title,
                    done=h.done,
                    completions=int(str(h.extra["completions"])),
                    target=int(str(h.extra["target"])),
                )
                for h in state.habits
            ],
            open_plan_items=[
                TodayPlanItem(
                    plan_id=strawberry.ID(str(p.id)),
                    index=int(str(p.extra["index"])),
                    item_id=None if p.extra.get("itemId") is None else str(p.extra["itemId"]),
                    title=p.title,
                )
                for p in state.plan_items
            ],
            claimable_quests=[_quest(q) for q in state.claimable_quests],
            quests_in_progress=[_quest(q) for q in state.quests_in_progress],
            lesson_in_progress=_row(lesson),
            current_streak=state.current_streak,
            unseen_achievements=[
                TodayAchievement(
                    id=strawberry.ID(str(a.id)),
                    key=str(a.extra["key"]),
                    name=a.title,
                    earned_at=datetime.fromisoformat(str(a.extra["earnedAt"])),
                )
                for a in state.unseen_achievements
            ],
            modules=[TodayModule(name=m.name, weight=m.weight) for m in state.modules],
            next_action=NextActionType(
                kind=action.kind,
                title=action.title,
                reason=action.reason,
                duration_seconds=action.duration_seconds,
                plan_item_index=None
                if action.kind is not NextActionKind.COMPLETE_PLAN_ITEM or action.target is None
                else int(str(action.target.extra["index"])),
                _target=action.target,
            ),
        )

    TodayUserState.build = staticmethod(build)
    built: type = TodayUserState
    return built


def _row(item: Item | None) -> TodayRow | None:
    return None if item is None else TodayRow(id=strawberry.ID(str(item.id)), title=item.title)


def _quest(item: Item) -> TodayQuest:
    return TodayQuest(
        id=strawberry.ID(str(item.id)),
        title=item.title,
        progress=int(str(item.extra["progress"])),
        target=int(str(item.extra["target"])),
    )


def _today_field(factory: Any) -> Any:
    state_type: Any = _today_type(factory)

    async def today(root: Any, info: strawberry.Info) -> Any:
        if not viewer_is(root, info):
            return None
        ctx: Context = info.context
        return state_type.build(await read_today(ctx.reader.fetch, root.id))

    return generated_field(
        today,
        Optional[state_type],  # noqa: UP045 - a runtime type
        description="The viewer's Today: the state of the day and the next action (null on "
        "another user's row).",
    )


DOMAIN = Domain(
    # The generated connection over ``user_settings`` is ``User.storedSettings`` (the stored
    # rows only); ``User.settings`` answers every known key.
    tables=(TableSpec("user_settings", reverse_names={"user_id": "storedSettings"}),),
    fields=(
        AddedField("users", "settings", _settings_field),
        AddedField("users", "today", _today_field),
        # ``User.onboarding``: the viewer's onboarding state (status, current step, the flow
        # and its steps through ``flow``); both read paths answer it from the declaration.
        AddedField(
            "users",
            "onboarding",
            RowField(
                "user_onboarding_state",
                "user_id",
                "The onboarding: its status, the current step, and the flow with its steps.",
                source="id",
            ),
        ),
    ),
)
