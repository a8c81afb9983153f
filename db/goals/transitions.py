"""Goal transitions: goals (create, update, delete, complete) and their milestones (add,
update, delete, complete); the rules are :mod:`db.goals.rules`.

Completing a milestone pays through the ledger (event ``goal.milestone.completed``, key
``goal.milestone.completed:<milestone id>``) and advances the ``milestones_completed``
quests by one; completing a goal pays once (event ``goal.completed``, key
``goal.completed:<goal id>``). Every milestone change recomputes ``goals.progress``.

Lock order: the goal row (a milestone's goal first, then the milestone), then the quest
progress rows, then the ledger, then the streaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.errors import InvalidInput, InvalidState, NotFound
from db.fields import clean
from db.gamification.achievements import Unlocked
from db.gamification.payout import pay_activity
from db.goals.rules import (
    GOAL_EVENT,
    GOAL_FIELDS,
    MAX_MILESTONES,
    MAX_SORT_ORDER,
    MILESTONE_EVENT,
    MILESTONE_FIELDS,
    check_open,
    check_status_change,
    goal_ledger_key,
    goal_reward,
    milestone_ledger_key,
    milestone_reward,
    progress,
)
from db.habits.models import GoalStatus
from db.ownership import delete_owned, lock_owned, set_columns
from db.quests.models import QuestTargetType
from db.quests.progress import advance_quests

_goals = metadata.tables["goals"]
_milestones = metadata.tables["goal_milestones"]


def _appended(values: Mapping[str, Any]) -> dict[str, Any]:
    """A create's values without a null ``sort_order`` (null: after the others)."""
    return {k: v for k, v in values.items() if k != "sort_order" or v is not None}


async def create_goal(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Create a goal for the user (``started_at`` now; after the user's other goals unless
    ``sort_order`` is given).

    Args:
        values: ``title`` (required), ``description``, ``category``, ``target_date``,
            ``status`` (default ``active``), ``priority`` (default 0), ``sort_order``.

    Returns:
        The new goal's id.

    Raises:
        InvalidInput: what :data:`~db.goals.rules.GOAL_FIELDS` refuse (the title required).
    """
    row = clean(_appended(values), GOAL_FIELDS, required=("title",))
    if row.get("sort_order") is None:
        row["sort_order"] = (
            await conn.execute(
                sa.select(
                    sa.func.least(
                        sa.func.coalesce(sa.func.max(_goals.c.sort_order) + 1, 0), MAX_SORT_ORDER
                    )
                ).where(_goals.c.user_id == user_id)
            )
        ).scalar_one()
    goal_id = (
        await conn.execute(
            sa.insert(_goals)
            .values(user_id=user_id, started_at=sa.func.now(), **row)
            .returning(_goals.c.id)
        )
    ).scalar_one()
    await record_activity(
        conn, user_id, "goal.created", "goals", {"goal_id": str(goal_id), "title": row["title"]}
    )
    return uuid.UUID(str(goal_id))


async def _lock_goal(conn: AsyncConnection, user_id: uuid.UUID, goal_id: uuid.UUID) -> Any:
    return await lock_owned(conn, _goals, goal_id, user_id, resource="Goal", what="goal")


async def update_goal(
    conn: AsyncConnection, user_id: uuid.UUID, goal_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of the user's goal (the others keep their values).

    Raises:
        InvalidInput: what :data:`~db.goals.rules.GOAL_FIELDS` refuse.
        NotFound: no such goal of the user (``resource`` ``Goal``).
        InvalidState: a new status for a completed goal (``status`` ``completed``).
    """
    values = clean(changes, GOAL_FIELDS)
    goal = await _lock_goal(conn, user_id, goal_id)
    if "status" in values:
        check_status_change(str(goal.status))
    await set_columns(conn, _goals, goal_id, values)
    return goal_id


async def delete_goal(conn: AsyncConnection, user_id: uuid.UUID, goal_id: uuid.UUID) -> uuid.UUID:
    """Delete the user's goal with its milestones (the rewards they paid stay; calendar events
    linked to it lose the link).

    Raises:
        NotFound: no such goal of the user (``resource`` ``Goal``).
    """
    goal = await delete_owned(conn, _goals, goal_id, user_id, resource="Goal", what="goal")
    await record_activity(
        conn, user_id, "goal.deleted", "goals", {"goal_id": str(goal_id), "title": goal.title}
    )
    return goal_id


async def _store_progress(conn: AsyncConnection, goal_id: uuid.UUID) -> None:
    """Recompute ``goals.progress`` from the goal's milestones."""
    done, total = (
        await conn.execute(
            sa.select(sa.func.count().filter(_milestones.c.is_completed), sa.func.count()).where(
                _milestones.c.goal_id == goal_id
            )
        )
    ).one()
    await conn.execute(
        sa.update(_goals)
        .where(_goals.c.id == goal_id)
        .values(progress=progress(int(done), int(total)), updated_at=sa.func.now())
    )


async def add_goal_milestone(
    conn: AsyncConnection, user_id: uuid.UUID, goal_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Add a milestone to the user's goal (after its other milestones unless ``sort_order`` is
    given); the goal's progress is recomputed.

    Args:
        values: ``title`` (required), ``description``, ``sort_order``.

    Returns:
        The new milestone's id.

    Raises:
        InvalidInput: what :data:`~db.goals.rules.MILESTONE_FIELDS` refuse (the title
            required), or a goal with
            :data:`~db.goals.rules.MAX_MILESTONES` milestones already (``field`` ``goalId``).
        NotFound: no such goal of the user (``resource`` ``Goal``).
        InvalidState: the goal is completed or abandoned.
    """
    row = clean(_appended(values), MILESTONE_FIELDS, required=("title",))
    goal = await _lock_goal(conn, user_id, goal_id)
    check_open(str(goal.status))
    count, last = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.max(_milestones.c.sort_order)).where(
                _milestones.c.goal_id == goal_id
            )
        )
    ).one()
    if count >= MAX_MILESTONES:
        raise InvalidInput(f"A goal has at most {MAX_MILESTONES} milestones.", field="goalId")
    if row.get("sort_order") is None:
        row["sort_order"] = 0 if last is None else min(int(last) + 1, MAX_SORT_ORDER)
    milestone_id = (
        await conn.execute(
            sa.insert(_milestones).values(goal_id=goal_id, **row).returning(_milestones.c.id)
        )
    ).scalar_one()
    await _store_progress(conn, goal_id)
    return uuid.UUID(str(milestone_id))


async def _lock_milestone(
    conn: AsyncConnection, user_id: uuid.UUID, milestone_id: uuid.UUID
) -> tuple[Any, Any]:
    """The user's milestone and its goal, the goal locked first, then the milestone.

    Raises:
        NotFound: no such milestone of the user (``resource`` ``GoalMilestone``).
    """
    goal_id = (
        await conn.execute(
            sa.select(_milestones.c.goal_id)
            .join(_goals, _goals.c.id == _milestones.c.goal_id)
            .where(_milestones.c.id == milestone_id, _goals.c.user_id == user_id)
        )
    ).scalar_one_or_none()
    if goal_id is None:
        raise NotFound("There is no such milestone.", resource="GoalMilestone")
    goal = await _lock_goal(conn, user_id, goal_id)
    milestone = (
        await conn.execute(
            sa.select(_milestones).where(_milestones.c.id == milestone_id).with_for_update()
        )
    ).one_or_none()
    if milestone is None:  # deleted by a concurrent call while we waited for the goal
        raise NotFound("There is no such milestone.", resource="GoalMilestone")
    return goal, milestone


async def update_goal_milestone(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    milestone_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> uuid.UUID:
    """Change the given fields (title, description, sort order) of the user's milestone.

    Raises:
        InvalidInput: what :data:`~db.goals.rules.MILESTONE_FIELDS` refuse.
        NotFound: no such milestone of the user (``resource`` ``GoalMilestone``).
    """
    values = clean(changes, MILESTONE_FIELDS)
    await _lock_milestone(conn, user_id, milestone_id)
    await set_columns(conn, _milestones, milestone_id, values)
    return milestone_id


async def delete_goal_milestone(
    conn: AsyncConnection, user_id: uuid.UUID, milestone_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's milestone (a paid reward stays paid); the goal's progress is
    recomputed.

    Returns:
        The goal's id.

    Raises:
        NotFound: no such milestone of the user (``resource`` ``GoalMilestone``).
        InvalidState: the goal is completed or abandoned.
    """
    goal, _ = await _lock_milestone(conn, user_id, milestone_id)
    check_open(str(goal.status))
    await conn.execute(sa.delete(_milestones).where(_milestones.c.id == milestone_id))
    await _store_progress(conn, goal.id)
    return uuid.UUID(str(goal.id))


@dataclass(frozen=True)
class GoalDone:
    """What :func:`complete_goal_milestone` or :func:`complete_goal` did: the goal, the
    milestone (None for a goal), the user's wallet and the achievements unlocked."""

    goal_id: uuid.UUID
    milestone_id: uuid.UUID | None
    wallet_id: uuid.UUID
    unlocked: list[Unlocked]


async def complete_goal_milestone(
    conn: AsyncConnection, user_id: uuid.UUID, milestone_id: uuid.UUID
) -> GoalDone:
    """Complete the user's milestone: ``is_completed``, ``completed_at`` now, the goal's
    progress recomputed, one ``milestones_completed`` quest unit, and
    :func:`~db.goals.rules.milestone_reward` paid through the ledger (once per milestone).

    Raises:
        NotFound: no such milestone of the user (``resource`` ``GoalMilestone``).
        InvalidState: the milestone is completed already (``status`` ``completed``), or the
            goal is completed or abandoned (``status`` the goal's).
    """
    goal, milestone = await _lock_milestone(conn, user_id, milestone_id)
    check_open(str(goal.status))
    if milestone.is_completed:
        raise InvalidState("This milestone is completed already.", status="completed")
    await conn.execute(
        sa.update(_milestones)
        .where(_milestones.c.id == milestone_id)
        .values(is_completed=True, completed_at=sa.func.now())
    )
    await _store_progress(conn, goal.id)
    await advance_quests(
        conn,
        user_id,
        target_type=QuestTargetType.MILESTONES_COMPLETED,
        amount=1,
        attributes={"category": goal.category} if goal.category else {},
    )
    paid = await pay_activity(
        conn,
        user_id,
        milestone_reward(),
        event_type=MILESTONE_EVENT,
        event_id=milestone_id,
        ledger_key=milestone_ledger_key(milestone_id),
        reason=f"Milestone: {milestone.title}",
        category="goals",
        details={"goal_id": str(goal.id), "milestone_id": str(milestone_id)},
    )
    return GoalDone(uuid.UUID(str(goal.id)), milestone_id, paid.wallet_id, paid.unlocked)


async def complete_goal(conn: AsyncConnection, user_id: uuid.UUID, goal_id: uuid.UUID) -> GoalDone:
    """Complete the user's goal: ``status`` ``completed`` (final), ``completed_at`` now,
    progress 100, and :func:`~db.goals.rules.goal_reward` paid through the ledger, once.
    Milestones left open stay open.

    Raises:
        NotFound: no such goal of the user (``resource`` ``Goal``).
        InvalidState: the goal is completed or abandoned (``status`` its status).
    """
    goal = await _lock_goal(conn, user_id, goal_id)
    check_open(str(goal.status))
    await conn.execute(
        sa.update(_goals)
        .where(_goals.c.id == goal_id)
        .values(
            status=GoalStatus.COMPLETED.value,
            completed_at=sa.func.greatest(sa.func.now(), _goals.c.started_at),
            progress=100,
            updated_at=sa.func.now(),
        )
    )
    paid = await pay_activity(
        conn,
        user_id,
        goal_reward(),
        event_type=GOAL_EVENT,
        event_id=goal_id,
        ledger_key=goal_ledger_key(goal_id),
        reason=f"Goal reached: {goal.title}",
        category="goals",
        details={"goal_id": str(goal_id), "title": goal.title},
    )
    return GoalDone(goal_id, None, paid.wallet_id, paid.unlocked)


__all__ = [
    "GoalDone",
    "add_goal_milestone",
    "complete_goal",
    "complete_goal_milestone",
    "create_goal",
    "delete_goal",
    "delete_goal_milestone",
    "update_goal",
    "update_goal_milestone",
]
