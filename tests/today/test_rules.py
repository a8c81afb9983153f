"""The next action, branch by branch (db/today/rules.py): each row of its table, what
switches it off (nudges off, a disabled module), and the tie-breaks."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest

from db.settings import REGISTRY, effective
from db.today.rules import (
    Item,
    Module,
    NextActionKind,
    TodayState,
    order_modules,
    resolve_next_action,
)

K = NextActionKind
DAY = date(2026, 12, 7)


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


ONBOARDING = Item("user_onboarding_state", _id(1), "Onboarding")
FOCUS = Item("focus_sessions", _id(2), "Focus", extra={"status": "paused"})
QUEST = Item("user_quest_progress", _id(3), "Ten sessions", order=(1,))
HABIT = Item("habits", _id(4), "Practice", order=(0,))
DONE_HABIT = Item("habits", _id(5), "Stretch", order=(-1,), done=True)
PLAN = Item("daily_plans", _id(6), "Mix the intro", order=(0,), extra={"index": 0})
LESSON = Item("user_lesson_progress", _id(7), "EQ basics", order=(0.0,))

#: Every branch applies: each case below removes the ones above it.
FULL = TodayState(
    local_date=DAY,
    days_since_activity=5,
    onboarding_status="in_progress",
    onboarding=ONBOARDING,
    focus=FOCUS,
    habits=(DONE_HABIT, HABIT),
    plan_items=(PLAN,),
    claimable_quests=(QUEST,),
    lessons=(LESSON,),
    default_focus_duration=1500,
)

CASES = [
    ("onboarding in progress", FULL, K.CONTINUE_ONBOARDING, ONBOARDING),
    (
        "onboarding not started",
        replace(FULL, onboarding_status="not_started"),
        K.CONTINUE_ONBOARDING,
        ONBOARDING,
    ),
    ("focus running", replace(FULL, onboarding_status="completed"), K.RESUME_FOCUS, FOCUS),
    (
        "skipped onboarding counts as done",
        replace(FULL, onboarding_status="skipped"),
        K.RESUME_FOCUS,
        FOCUS,
    ),
    (
        "quest claimable",
        replace(FULL, onboarding_status="completed", focus=None),
        K.CLAIM_QUEST_REWARD,
        QUEST,
    ),
    (
        "back after days away",
        replace(FULL, onboarding_status="completed", focus=None, claimable_quests=()),
        K.WELCOME_BACK,
        None,
    ),
    (
        "exactly three days away",
        replace(
            FULL,
            onboarding_status="completed",
            focus=None,
            claimable_quests=(),
            days_since_activity=3,
        ),
        K.WELCOME_BACK,
        None,
    ),
    (
        "two days away is not back",
        replace(
            FULL,
            onboarding_status="completed",
            focus=None,
            claimable_quests=(),
            days_since_activity=2,
        ),
        K.COMPLETE_HABIT,
        HABIT,
    ),
    (
        "never active is new, not back",
        replace(
            FULL,
            onboarding_status="completed",
            focus=None,
            claimable_quests=(),
            days_since_activity=None,
        ),
        K.COMPLETE_HABIT,
        HABIT,
    ),
    (
        "plan item once habits are done",
        replace(
            FULL,
            onboarding_status="completed",
            focus=None,
            claimable_quests=(),
            days_since_activity=0,
            habits=(DONE_HABIT,),
        ),
        K.COMPLETE_PLAN_ITEM,
        PLAN,
    ),
    (
        "lesson once the plan is done",
        replace(
            FULL,
            onboarding_status="completed",
            focus=None,
            claimable_quests=(),
            days_since_activity=0,
            habits=(),
            plan_items=(),
        ),
        K.CONTINUE_LESSON,
        LESSON,
    ),
    (
        "start focus by default",
        replace(
            FULL,
            onboarding_status="completed",
            focus=None,
            claimable_quests=(),
            days_since_activity=0,
            habits=(),
            plan_items=(),
            lessons=(),
        ),
        K.START_FOCUS,
        None,
    ),
    (
        "no onboarding state row",
        replace(
            FULL,
            onboarding_status=None,
            onboarding=None,
            focus=None,
            claimable_quests=(),
            days_since_activity=0,
            habits=(),
            plan_items=(),
            lessons=(),
        ),
        K.START_FOCUS,
        None,
    ),
]


@pytest.mark.parametrize(("name", "state", "kind", "target"), CASES, ids=[c[0] for c in CASES])
def test_branch(name: str, state: TodayState, kind: NextActionKind, target: Item | None) -> None:
    action = resolve_next_action(state)
    assert action.kind is kind
    assert action.target == target
    assert action.title and action.reason


def test_focus_kinds_carry_a_duration() -> None:
    quiet = replace(FULL, onboarding_status="completed", focus=None, claimable_quests=())
    assert resolve_next_action(quiet).duration_seconds == 600  # soft landing: 10 minutes
    short = replace(quiet, default_focus_duration=300)
    assert resolve_next_action(short).duration_seconds == 300
    idle = replace(quiet, days_since_activity=0, habits=(), plan_items=(), lessons=())
    assert resolve_next_action(idle).duration_seconds == 1500


def test_nudges_off_keeps_only_the_first_two() -> None:
    off = replace(FULL, nudge_intensity="off")
    assert resolve_next_action(off).kind is K.CONTINUE_ONBOARDING
    off = replace(off, onboarding_status="completed")
    assert resolve_next_action(off).kind is K.RESUME_FOCUS
    off = replace(off, focus=None)
    action = resolve_next_action(off)
    assert action.kind is K.NOTHING and action.target is None


@pytest.mark.parametrize(
    ("disabled", "kind"),
    [
        ({"quests"}, K.WELCOME_BACK),
        ({"quests", "focus"}, K.COMPLETE_HABIT),
        ({"quests", "focus", "habits"}, K.COMPLETE_PLAN_ITEM),
        ({"quests", "focus", "habits", "planner"}, K.CONTINUE_LESSON),
        ({"quests", "focus", "habits", "planner", "learn"}, K.NOTHING),
    ],
)
def test_a_disabled_module_removes_its_kinds(disabled: set[str], kind: NextActionKind) -> None:
    modules = tuple(m for m in FULL.modules if m.name not in disabled)
    # A running session of a disabled focus module is not proposed either.
    state = replace(
        FULL,
        onboarding_status="completed",
        focus=None if "focus" not in disabled else FOCUS,
        modules=modules,
    )
    assert resolve_next_action(state).kind is kind


def test_onboarding_is_never_gated() -> None:
    state = replace(FULL, nudge_intensity="off", modules=())
    assert resolve_next_action(state).kind is K.CONTINUE_ONBOARDING


def test_interests_break_ties() -> None:
    plain = Item(
        "user_lesson_progress", _id(10), "Compression", order=(0.0,), tags=frozenset({"x"})
    )
    liked = Item(
        "user_lesson_progress", _id(11), "Mixing", order=(0.0,), tags=frozenset({"mixing"})
    )
    base = replace(
        FULL,
        onboarding_status="completed",
        focus=None,
        claimable_quests=(),
        days_since_activity=0,
        habits=(),
        plan_items=(),
        lessons=(plain, liked),
    )
    assert resolve_next_action(base).target == plain  # smaller id without interests
    assert resolve_next_action(replace(base, interests=frozenset({"mixing"}))).target == liked
    # The order comes before interests.
    earlier = replace(plain, order=(-1.0,))
    state = replace(base, lessons=(earlier, liked), interests=frozenset({"mixing"}))
    assert resolve_next_action(state).target == earlier


def test_habits_by_sort_order_skipping_done_ones() -> None:
    later = Item("habits", _id(20), "Later", order=(5,))
    state = replace(
        FULL,
        onboarding_status="completed",
        focus=None,
        claimable_quests=(),
        days_since_activity=0,
        habits=(later, DONE_HABIT, HABIT),
    )
    assert resolve_next_action(state).target == HABIT


def test_order_modules() -> None:
    settings = effective({"module.learn.weight": 90, "module.planner.enabled": False})
    names = [m.name for m in order_modules(settings)]
    # focus 90 and learn 90 tie: the fixed order; planner is disabled.
    assert names == ["focus", "learn", "habits", "quests"]
    names = [m.name for m in order_modules(settings, {"learn"})]
    assert names == ["learn", "focus", "habits", "quests"]
    assert all(isinstance(m, Module) for m in order_modules(effective({})))
    assert len(order_modules(effective({}))) == len([k for k in REGISTRY if k.endswith(".enabled")])
