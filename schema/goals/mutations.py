"""Goal mutations: the viewer's goals and their milestones. The rules live in
:mod:`db.goals.transitions` and :mod:`db.goals.rules`; these declarations only map arguments
and results."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from db.errors import InvalidState, NotFound
from db.goals import rules, transitions
from db.habits.models import Goal, GoalMilestone, GoalStatus
from schema.core.crud import owned_mutations
from schema.core.descriptions import column_doc
from schema.core.mutations import IdempotencyKey, Ids, Tx, given_fields, id_arg, mutation
from schema.core.types import graphql_enum

GoalStatusEnum: Any = graphql_enum(GoalStatus)

GoalId = Annotated[strawberry.ID, strawberry.argument(description="One of the viewer's goals.")]
MilestoneId = Annotated[
    strawberry.ID, strawberry.argument(description="A milestone of one of the viewer's goals.")
]

_STATUS = "ACTIVE, PAUSED or ABANDONED: a goal is completed with `completeGoal`."
_AFTER = "After the others by default."


@strawberry.input(description="A new goal.")
class CreateGoalInput:
    title: Annotated[str, rules.TITLE] = strawberry.field(description=column_doc(Goal, "title"))
    description: Annotated[str | None, rules.DESCRIPTION] = strawberry.field(
        default=None, description=column_doc(Goal, "description")
    )
    category: Annotated[str | None, rules.CATEGORY] = strawberry.field(
        default=None, description=column_doc(Goal, "category")
    )
    target_date: date | None = strawberry.field(
        default=None, description=column_doc(Goal, "target_date")
    )
    status: GoalStatusEnum = strawberry.field(
        default=GoalStatus.ACTIVE, description=f"{column_doc(Goal, 'status')} {_STATUS}"
    )
    priority: Annotated[int, rules.PRIORITY] = strawberry.field(
        default=0, description=column_doc(Goal, "priority")
    )
    sort_order: Annotated[int | None, rules.SORT_ORDER] = strawberry.field(
        default=None, description=f"{column_doc(Goal, 'sort_order')} {_AFTER}"
    )


@strawberry.input(
    description="The fields to change; a field left out keeps its value, `null` clears an "
    "optional one."
)
class UpdateGoalInput:
    title: Annotated[str | None, rules.TITLE] = strawberry.field(
        default=strawberry.UNSET, description="A new title."
    )
    description: Annotated[str | None, rules.DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    category: Annotated[str | None, rules.CATEGORY] = strawberry.field(
        default=strawberry.UNSET, description="A category; null clears it."
    )
    target_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="A target day; null clears it."
    )
    status: GoalStatusEnum | None = strawberry.field(
        default=strawberry.UNSET, description=f"{_STATUS} A completed goal keeps its status."
    )
    priority: Annotated[int | None, rules.PRIORITY] = strawberry.field(
        default=strawberry.UNSET, description="A new priority."
    )
    sort_order: Annotated[int | None, rules.SORT_ORDER] = strawberry.field(
        default=strawberry.UNSET, description="A new position."
    )


@strawberry.input(description="A new milestone of a goal.")
class AddGoalMilestoneInput:
    title: Annotated[str, rules.TITLE] = strawberry.field(
        description=column_doc(GoalMilestone, "title")
    )
    description: Annotated[str | None, rules.DESCRIPTION] = strawberry.field(
        default=None, description=column_doc(GoalMilestone, "description")
    )
    sort_order: Annotated[int | None, rules.SORT_ORDER] = strawberry.field(
        default=None, description=f"{column_doc(GoalMilestone, 'sort_order')} {_AFTER}"
    )


@strawberry.input(description="The milestone fields to change; a field left out keeps its value.")
class UpdateGoalMilestoneInput:
    title: Annotated[str | None, rules.TITLE] = strawberry.field(
        default=strawberry.UNSET, description="A new title."
    )
    description: Annotated[str | None, rules.DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    sort_order: Annotated[int | None, rules.SORT_ORDER] = strawberry.field(
        default=strawberry.UNSET, description="A new position."
    )


_PAID = {
    "goal": "goals",
    "wallet": "user_wallet",
    "unlocked_achievements": ["user_achievements"],
}


GOAL_MUTATIONS = owned_mutations(
    "goal",
    table="goals",
    row_id=GoalId,
    inputs=(CreateGoalInput, UpdateGoalInput),
    create=transitions.create_goal,
    update=transitions.update_goal,
    delete=transitions.delete_goal,
    errors=((), (NotFound, InvalidState), (NotFound,)),
    descriptions=(
        "Create a goal.",
        "Change some fields of one of the viewer's goals.",
        "Delete one of the viewer's goals with its milestones (the rewards they paid stay).",
    ),
)


@mutation(
    description="Complete one of the viewer's goals (for good; open milestones stay open): "
    f"progress 100, paid once through the points ledger ({rules.GOAL_XP} XP, "
    f"{rules.GOAL_COINS} coins, a Discipline star).",
    returns=_PAID,
    errors=(NotFound, InvalidState),
    idempotent=True,
)
async def complete_goal(tx: Tx, id: GoalId, idempotency_key: IdempotencyKey) -> Ids:
    done = await transitions.complete_goal(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    return {
        "goal": done.goal_id,
        "wallet": done.wallet_id,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
    }


@mutation(
    description="Add a milestone to one of the viewer's goals (not completed or abandoned; at "
    f"most {rules.MAX_MILESTONES}); the goal's progress follows its milestones.",
    returns={"milestone": "goal_milestones", "goal": "goals"},
    errors=(NotFound, InvalidState),
)
async def add_goal_milestone(tx: Tx, goal_id: GoalId, input: AddGoalMilestoneInput) -> Ids:
    goal = id_arg(goal_id, "goalId")
    milestone = await transitions.add_goal_milestone(
        tx.conn, tx.viewer.user_id, goal, given_fields(input)
    )
    return {"milestone": milestone, "goal": goal}


@mutation(
    description="Change the title, description or position of a milestone.",
    returns={"milestone": "goal_milestones"},
    errors=(NotFound,),
)
async def update_goal_milestone(tx: Tx, id: MilestoneId, input: UpdateGoalMilestoneInput) -> Ids:
    milestone = await transitions.update_goal_milestone(
        tx.conn, tx.viewer.user_id, id_arg(id, "id"), given_fields(input)
    )
    return {"milestone": milestone}


@mutation(
    description="Delete a milestone of a goal that is not completed or abandoned (a reward it "
    "paid stays); the goal's progress is recomputed.",
    returns={"deleted_milestone_id": strawberry.ID, "goal": "goals"},
    errors=(NotFound, InvalidState),
    fields={"deleted_milestone_id": "The id the deleted milestone had (`GoalMilestone.id`)."},
)
async def delete_goal_milestone(tx: Tx, id: MilestoneId) -> Ids:
    milestone = id_arg(id, "id")
    goal = await transitions.delete_goal_milestone(tx.conn, tx.viewer.user_id, milestone)
    return {"deleted_milestone_id": milestone, "goal": goal}


@mutation(
    description="Complete a milestone of one of the viewer's goals, once: the goal's progress "
    "follows, the milestone quests advance, paid through the points ledger "
    f"({rules.MILESTONE_XP} XP, {rules.MILESTONE_COINS} coins).",
    returns={"milestone": "goal_milestones", **_PAID},
    errors=(NotFound, InvalidState),
    idempotent=True,
)
async def complete_goal_milestone(tx: Tx, id: MilestoneId, idempotency_key: IdempotencyKey) -> Ids:
    done = await transitions.complete_goal_milestone(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    return {
        "milestone": done.milestone_id,
        "goal": done.goal_id,
        "wallet": done.wallet_id,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
    }
