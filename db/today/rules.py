"""The rules of Today: the state a user's home screen shows and the one next action it
proposes (Ignition specification, "Today Resolution Flow").

:func:`resolve_next_action` is the one place of the order. It is a pure function of a
:class:`TodayState` (read by :mod:`db.today.state`), tried branch by branch, the first that
applies wins:

=====================  =======================================================  ===========
kind                   applies when                                             module
=====================  =======================================================  ===========
CONTINUE_ONBOARDING    onboarding is neither completed nor skipped              (always)
RESUME_FOCUS           a focus session is running or paused                     focus
CLAIM_QUEST_REWARD     a quest is completed and its reward not claimed          quests
WELCOME_BACK           3+ local days since the last activity (never active:     focus
                       new, not back): a short focus session as a soft landing
COMPLETE_HABIT         a habit is due today and not done (lowest sort order)    habits
COMPLETE_PLAN_ITEM     today's plan has an open item (first in plan order)      planner
CONTINUE_LESSON        a lesson is in progress (most recently started)          learn
START_FOCUS            otherwise: a focus session of the default duration      focus
NOTHING                nothing applies (everything off or disabled)             (always)
=====================  =======================================================  ===========

- ``nudge_intensity = off`` keeps only the first two rows (then NOTHING).
- A disabled module (``module.<name>.enabled = false``) removes the rows of its column.
- Interests break ties: among candidates of one kind that tie on their order (habits of the
  same sort order, quests completed at the same moment, lessons started at the same moment),
  one whose ``tags`` (quest category, lesson topic key and category, plan item kind) meet the
  user's interests comes first; then the earlier id, so the answer is stable. Modules of equal
  weight are ordered the same way (a module named as an interest first, then the fixed order
  of :data:`db.settings.TODAY_MODULES`).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from db.settings import TODAY_MODULES

#: Days since the last activity from which a user is welcomed back.
WELCOME_BACK_DAYS = 3
#: The longest soft-landing session WELCOME_BACK proposes, in seconds (10 minutes; the
#: default duration when that is shorter).
WELCOME_BACK_SECONDS = 600


class NextActionKind(enum.StrEnum):
    """What Today proposes, in the order of :func:`resolve_next_action`.

    - ``CONTINUE_ONBOARDING``: finish (or skip) the onboarding flow.
    - ``RESUME_FOCUS``: go back to the running or paused focus session.
    - ``CLAIM_QUEST_REWARD``: a quest is done; claim its reward.
    - ``WELCOME_BACK``: back after days away; a short focus session to land softly.
    - ``COMPLETE_HABIT``: a habit due today is not done yet.
    - ``COMPLETE_PLAN_ITEM``: today's plan has an open item.
    - ``CONTINUE_LESSON``: a lesson is in progress.
    - ``START_FOCUS``: start a focus session of the default duration.
    - ``NOTHING``: nothing to propose (nudges off, modules disabled).
    """

    CONTINUE_ONBOARDING = "CONTINUE_ONBOARDING"
    RESUME_FOCUS = "RESUME_FOCUS"
    CLAIM_QUEST_REWARD = "CLAIM_QUEST_REWARD"
    WELCOME_BACK = "WELCOME_BACK"
    COMPLETE_HABIT = "COMPLETE_HABIT"
    COMPLETE_PLAN_ITEM = "COMPLETE_PLAN_ITEM"
    CONTINUE_LESSON = "CONTINUE_LESSON"
    START_FOCUS = "START_FOCUS"
    NOTHING = "NOTHING"


#: The module whose ``enabled`` setting gates each kind (None: never gated).
KIND_MODULE: dict[NextActionKind, str | None] = {
    NextActionKind.CONTINUE_ONBOARDING: None,
    NextActionKind.RESUME_FOCUS: "focus",
    NextActionKind.CLAIM_QUEST_REWARD: "quests",
    NextActionKind.WELCOME_BACK: "focus",
    NextActionKind.COMPLETE_HABIT: "habits",
    NextActionKind.COMPLETE_PLAN_ITEM: "planner",
    NextActionKind.CONTINUE_LESSON: "learn",
    NextActionKind.START_FOCUS: "focus",
    NextActionKind.NOTHING: None,
}

#: The kinds ``nudge_intensity = off`` keeps.
UNNUDGED = (NextActionKind.CONTINUE_ONBOARDING, NextActionKind.RESUME_FOCUS)


@dataclass(frozen=True)
class Item:
    """A row Today lists: ``table`` and ``id`` name it (``habits``, ``user_quest_progress``,
    ...), ``title`` is its name for people, ``order`` its position among its kind (lower
    first), ``tags`` what interests it meets, ``done`` whether it is done for today (habits),
    ``extra`` kind-specific values (JSON-able)."""

    table: str
    id: uuid.UUID
    title: str
    order: tuple[object, ...] = ()
    tags: frozenset[str] = frozenset()
    done: bool = False
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Module:
    """An enabled Today module and its weight (0 to 100)."""

    name: str
    weight: int


@dataclass(frozen=True)
class TodayState:
    """What Today knows about a user at one moment.

    Attributes:
        local_date: the date in the user's timezone.
        days_since_activity: whole local days since ``users.last_activity_at``; None when the
            user was never active.
        onboarding_status: ``user_onboarding_state.status``; None without a state row.
        onboarding: the ``user_onboarding_state`` row, when there is one.
        focus: the running or paused ``focus_sessions`` row.
        focus_minutes_today: whole minutes focused in focus sessions completed today (local).
        daily_focus_goal_minutes: the user's goal.
        default_focus_duration: seconds, the user's default session length.
        habits: the active habits due today, ``done`` when today's (or this week's) target is met.
        plan_items: today's open plan items (``daily_plans`` row ids; ``extra['index']``).
        claimable_quests: quests completed, reward not claimed.
        quests_in_progress: accepted quests not completed yet.
        lessons: lessons in progress, most recently started first.
        current_streak: days in a row with activity (``daily_activity`` streak).
        unseen_achievements: unlocked achievements not marked seen.
        modules: the enabled modules, ordered by weight (:func:`order_modules`).
        nudge_intensity: ``off``, ``gentle``, ``standard`` or ``strong``.
        interests: the user's interest keys.
    """

    local_date: date
    days_since_activity: int | None = None
    onboarding_status: str | None = None
    onboarding: Item | None = None
    focus: Item | None = None
    focus_minutes_today: int = 0
    daily_focus_goal_minutes: int = 60
    default_focus_duration: int = 300
    habits: tuple[Item, ...] = ()
    plan_items: tuple[Item, ...] = ()
    claimable_quests: tuple[Item, ...] = ()
    quests_in_progress: tuple[Item, ...] = ()
    lessons: tuple[Item, ...] = ()
    current_streak: int = 0
    unseen_achievements: tuple[Item, ...] = ()
    modules: tuple[Module, ...] = tuple(Module(m, 50) for m in TODAY_MODULES)
    nudge_intensity: str = "standard"
    interests: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NextAction:
    """The action Today proposes: its ``kind``, a ``title`` and a ``reason`` for people, the
    row it points at (``target``, None for START_FOCUS, WELCOME_BACK and NOTHING) and, for
    the focus kinds that start a session, ``duration_seconds``."""

    kind: NextActionKind
    title: str
    reason: str
    target: Item | None = None
    duration_seconds: int | None = None


def order_modules(settings: dict[str, object], interests: Iterable[str] = ()) -> tuple[Module, ...]:
    """The enabled modules, highest weight first; a tie goes to a module named among the
    ``interests``, then to the order of :data:`TODAY_MODULES`.

    Args:
        settings: the effective settings (:func:`db.settings.effective`).
        interests: the user's interest keys.
    """
    liked = set(interests)
    enabled = [
        Module(name, int(str(settings.get(f"module.{name}.weight", 50))))
        for name in TODAY_MODULES
        if settings.get(f"module.{name}.enabled", True) is not False
    ]
    return tuple(
        sorted(
            enabled,
            key=lambda m: (-m.weight, m.name not in liked, TODAY_MODULES.index(m.name)),
        )
    )


def pick(items: Sequence[Item], interests: frozenset[str]) -> Item | None:
    """The first of ``items`` by ``order``, a tie going to one whose ``tags`` meet the
    ``interests``, then to the smaller id."""
    if not items:
        return None
    return min(items, key=lambda i: (i.order, not (i.tags & interests), str(i.id)))


def resolve_next_action(state: TodayState) -> NextAction:
    """The next action of ``state``: the first branch of the module docstring's table that
    applies, allowed by ``nudge_intensity`` and the enabled modules.

    Args:
        state: the user's :class:`TodayState`.

    Returns:
        The :class:`NextAction` (``NOTHING`` when no branch applies).
    """
    enabled = {m.name for m in state.modules}

    def allowed(kind: NextActionKind) -> bool:
        if state.nudge_intensity == "off" and kind not in UNNUDGED:
            return False
        module = KIND_MODULE[kind]
        return module is None or module in enabled

    K = NextActionKind
    if allowed(K.CONTINUE_ONBOARDING) and state.onboarding_status not in (
        None,
        "completed",
        "skipped",
    ):
        return NextAction(
            K.CONTINUE_ONBOARDING,
            "Continue setting up",
            "Onboarding is not finished yet.",
            state.onboarding,
        )
    if allowed(K.RESUME_FOCUS) and state.focus is not None:
        paused = state.focus.extra.get("status") == "paused"
        return NextAction(
            K.RESUME_FOCUS,
            "Resume your focus session" if paused else "Back to your focus session",
            "A focus session is paused." if paused else "A focus session is running.",
            state.focus,
        )
    quest = pick(state.claimable_quests, state.interests)
    if allowed(K.CLAIM_QUEST_REWARD) and quest is not None:
        return NextAction(
            K.CLAIM_QUEST_REWARD,
            f"Claim your reward: {quest.title}",
            "You completed this quest; its reward is waiting.",
            quest,
        )
    days = state.days_since_activity
    if allowed(K.WELCOME_BACK) and days is not None and days >= WELCOME_BACK_DAYS:
        return NextAction(
            K.WELCOME_BACK,
            "Welcome back: a short focus session",
            f"It has been {days} days; start small.",
            None,
            min(state.default_focus_duration, WELCOME_BACK_SECONDS),
        )
    habit = pick([h for h in state.habits if not h.done], state.interests)
    if allowed(K.COMPLETE_HABIT) and habit is not None:
        return NextAction(
            K.COMPLETE_HABIT, f"Check off {habit.title}", "Due today and not done yet.", habit
        )
    item = pick(state.plan_items, state.interests)
    if allowed(K.COMPLETE_PLAN_ITEM) and item is not None:
        return NextAction(K.COMPLETE_PLAN_ITEM, item.title, "Next open item of today's plan.", item)
    lesson = pick(state.lessons, state.interests)
    if allowed(K.CONTINUE_LESSON) and lesson is not None:
        return NextAction(
            K.CONTINUE_LESSON, f"Continue {lesson.title}", "You started this lesson.", lesson
        )
    if allowed(K.START_FOCUS):
        minutes = state.focus_minutes_today
        goal = state.daily_focus_goal_minutes
        return NextAction(
            K.START_FOCUS,
            "Start a focus session",
            f"{minutes} of {goal} minutes focused today."
            if goal
            else "A focus session of your default length.",
            None,
            state.default_focus_duration,
        )
    return NextAction(K.NOTHING, "Nothing to do", "Nothing is asked of you right now.")


__all__ = [
    "KIND_MODULE",
    "UNNUDGED",
    "WELCOME_BACK_DAYS",
    "WELCOME_BACK_SECONDS",
    "Item",
    "Module",
    "NextAction",
    "NextActionKind",
    "TodayState",
    "order_modules",
    "pick",
    "resolve_next_action",
]
