"""The goal rules that need no database: the limits of a goal's fields, which status changes a
client may make, the progress that follows the milestones, and what completing pays.

Pure functions, called by the transitions (:mod:`db.goals.transitions`) and by the demo
generator. The goals and their milestones are the ``goals`` and ``goal_milestones`` tables
(:mod:`db.habits.models`). The rewards are this repository's (the specification gives goals
no reward; recorded in docs/decisions.md, "Books, goals and plans"):

- completing a milestone pays :data:`MILESTONE_XP` XP and :data:`MILESTONE_COINS` coins, once
  per milestone (a completed milestone stays completed);
- completing a goal pays :data:`GOAL_XP` XP, :data:`GOAL_COINS` coins and one star of
  :data:`GOAL_SKILL`, once per goal (``completed`` is final).

``goals.progress`` is the whole percentage of its milestones completed (0 without
milestones), recomputed whenever a milestone is added, completed or removed; a completed goal
reads 100. Clients set ``status`` to ``active``, ``paused`` or ``abandoned``; ``completed``
is reached only through ``completeGoal``. A completed or abandoned goal takes no milestone
changes.
"""

from __future__ import annotations

from db.errors import InvalidState
from db.fields import Choice, Moment, Number, Rule, Text
from db.gamification.payout import Reward
from db.habits.models import GoalStatus

#: What completing a milestone pays.
MILESTONE_XP = 10
MILESTONE_COINS = 5
#: What completing a goal pays: XP, coins and a star of :data:`GOAL_SKILL`.
GOAL_XP = 50
GOAL_COINS = 25
#: The skill goals train ("Discipline: showing up when motivation is low").
GOAL_SKILL = "discipline"

#: Longest goal or milestone title, description and category, in characters.
MAX_TITLE = 200
MAX_DESCRIPTION = 5_000
MAX_CATEGORY = 100
#: The range of ``priority`` and of ``sort_order``.
MAX_PRIORITY = 100
MAX_SORT_ORDER = 1_000_000
#: The most milestones a goal may have.
MAX_MILESTONES = 100

#: The statuses a client may set with createGoal/updateGoal.
SETTABLE_STATUSES = frozenset({GoalStatus.ACTIVE, GoalStatus.PAUSED, GoalStatus.ABANDONED})

#: The rules of the goal and milestone inputs (:mod:`db.fields`: declared by the mutations as
#: the inputs' bounds, checked by the transitions).
TITLE = Text(MAX_TITLE, min=1, nullable=False)
DESCRIPTION = Text(MAX_DESCRIPTION)
CATEGORY = Text(MAX_CATEGORY)
PRIORITY = Number(0, MAX_PRIORITY)
SORT_ORDER = Number(0, MAX_SORT_ORDER)

#: ``goals`` columns a client sets (createGoal and updateGoal).
GOAL_FIELDS: dict[str, Rule] = {
    "title": TITLE,
    "description": DESCRIPTION,
    "category": CATEGORY,
    "target_date": Moment(day=True),
    "status": Choice(GoalStatus, allowed=SETTABLE_STATUSES),
    "priority": PRIORITY,
    "sort_order": SORT_ORDER,
}
#: ``goal_milestones`` columns a client sets (addGoalMilestone and updateGoalMilestone).
MILESTONE_FIELDS: dict[str, Rule] = {
    "title": TITLE,
    "description": DESCRIPTION,
    "sort_order": SORT_ORDER,
}

#: The statuses in which a goal's milestones may change.
OPEN_STATUSES = frozenset({GoalStatus.ACTIVE, GoalStatus.PAUSED})


def progress(done: int, total: int) -> int:
    """The goal's progress in percent: the whole percentage of ``done`` of ``total``
    milestones (0 without milestones)."""
    return 100 * done // total if total else 0


def check_open(status: str) -> None:
    """Refuse a change to the milestones of a completed or abandoned goal, or completing it.

    Raises:
        InvalidState: ``status`` the goal's status.
    """
    if status not in OPEN_STATUSES:
        raise InvalidState(f"This goal is {status}.", status=status)


def check_status_change(current: str) -> None:
    """Refuse a status change of a completed goal (completing is final).

    Raises:
        InvalidState: ``status`` ``completed``.
    """
    if current == GoalStatus.COMPLETED:
        raise InvalidState("A completed goal stays completed.", status=current)


def milestone_reward() -> Reward:
    """What completing a milestone pays."""
    return Reward(MILESTONE_XP, MILESTONE_COINS)


def goal_reward() -> Reward:
    """What completing a goal pays."""
    return Reward(GOAL_XP, GOAL_COINS, 1, GOAL_SKILL)


#: The event (ledger ``event_type`` and activity event) of a completed milestone.
MILESTONE_EVENT = "goal.milestone.completed"
#: The event of a completed goal.
GOAL_EVENT = "goal.completed"


def milestone_ledger_key(milestone_id: object) -> str:
    """The ledger key of a milestone's reward: ``goal.milestone.completed:<milestone id>``."""
    return f"{MILESTONE_EVENT}:{milestone_id}"


def goal_ledger_key(goal_id: object) -> str:
    """The ledger key of a goal's reward: ``goal.completed:<goal id>``."""
    return f"{GOAL_EVENT}:{goal_id}"


__all__ = [
    "CATEGORY",
    "DESCRIPTION",
    "GOAL_COINS",
    "GOAL_EVENT",
    "GOAL_FIELDS",
    "GOAL_SKILL",
    "GOAL_XP",
    "MAX_CATEGORY",
    "MAX_DESCRIPTION",
    "MAX_MILESTONES",
    "MAX_PRIORITY",
    "MAX_SORT_ORDER",
    "MAX_TITLE",
    "MILESTONE_COINS",
    "MILESTONE_EVENT",
    "MILESTONE_FIELDS",
    "MILESTONE_XP",
    "OPEN_STATUSES",
    "PRIORITY",
    "SETTABLE_STATUSES",
    "SORT_ORDER",
    "TITLE",
    "check_open",
    "check_status_change",
    "goal_ledger_key",
    "goal_reward",
    "milestone_ledger_key",
    "milestone_reward",
    "progress",
]
