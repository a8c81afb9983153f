"""Goal mutations: create, update (only the given fields), delete, milestones (add, update,
delete, complete once with a ``milestones_completed`` quest unit) and completing a goal (once,
final); the progress follows the milestones; every typed error leaves the database as it was;
another user's goals and milestones are absent; idempotency keys replay."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.goals.rules import GOAL_COINS, GOAL_XP, MILESTONE_COINS, MILESTONE_XP, progress
from gateway.auth import Viewer
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user
from tests.support.writes import errors, payload_of, row, unchanged, value

GOAL = "goal { id title description category targetDate status priority sortOrder progress }"
CREATE = f"""
mutation($input: CreateGoalInput!) {{
  createGoal(input: $input) {{
    __typename
    ... on CreateGoalSuccess {{ {GOAL} }}
    {errors("InvalidInput")}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateGoalInput!) {{
  updateGoal(id: $id, input: $input) {{
    __typename
    ... on UpdateGoalSuccess {{ {GOAL} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deleteGoal(id: $id) {{
    __typename
    ... on DeleteGoalSuccess {{ deletedGoalId }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
ADD = f"""
mutation($goalId: ID!, $input: AddGoalMilestoneInput!) {{
  addGoalMilestone(goalId: $goalId, input: $input) {{
    __typename
    ... on AddGoalMilestoneSuccess {{
      milestone {{ id title sortOrder isCompleted }} goal {{ progress }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
UPDATE_MILESTONE = f"""
mutation($id: ID!, $input: UpdateGoalMilestoneInput!) {{
  updateGoalMilestone(id: $id, input: $input) {{
    __typename
    ... on UpdateGoalMilestoneSuccess {{ milestone {{ id title description sortOrder }} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
DELETE_MILESTONE = f"""
mutation($id: ID!) {{
  deleteGoalMilestone(id: $id) {{
    __typename
    ... on DeleteGoalMilestoneSuccess {{ deletedMilestoneId goal {{ progress }} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
COMPLETE_MILESTONE = f"""
mutation($id: ID!, $key: String!) {{
  completeGoalMilestone(id: $id, idempotencyKey: $key) {{
    __typename
    ... on CompleteGoalMilestoneSuccess {{
      milestone {{ id isCompleted completedAt }}
      goal {{ progress status }}
      wallet {{ coins }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
COMPLETE = f"""
mutation($id: ID!, $key: String!) {{
  completeGoal(id: $id, idempotencyKey: $key) {{
    __typename
    ... on CompleteGoalSuccess {{ goal {{ status progress completedAt }} wallet {{ coins }} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
ACCEPT = "mutation($id: ID!) { acceptQuest(questId: $id) { __typename } }"


async def _create(mutate: Mutate, viewer: Viewer, **fields: Any) -> str:
    payload = await payload_of(
        mutate, CREATE, {"input": {"title": "Release an EP", **fields}}, viewer
    )
    assert payload["__typename"] == "CreateGoalSuccess", payload
    return str(payload["goal"]["id"])


async def _milestone(mutate: Mutate, viewer: Viewer, goal: str, title: str = "Mixdown") -> str:
    payload = await payload_of(mutate, ADD, {"goalId": goal, "input": {"title": title}}, viewer)
    assert payload["__typename"] == "AddGoalMilestoneSuccess", payload
    return str(payload["milestone"]["id"])


def _key() -> str:
    return uuid.uuid4().hex


def test_progress_is_the_whole_percentage_of_milestones() -> None:
    assert [progress(d, 3) for d in range(4)] == [0, 33, 66, 100]
    assert progress(0, 0) == 0


async def test_create_goal_and_its_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    first = await payload_of(
        mutate, CREATE, {"input": {"title": " EP ", "targetDate": "2027-03-01"}}, viewer
    )
    assert first["__typename"] == "CreateGoalSuccess", first
    goal = first["goal"]
    assert (goal["title"], goal["status"], goal["progress"], goal["sortOrder"]) == (
        "EP",
        "ACTIVE",
        0,
        0,
    )
    second = await payload_of(mutate, CREATE, {"input": {"title": "Album"}}, viewer)
    assert second["goal"]["sortOrder"] == 1
    for fields, field in (
        ({"title": ""}, "input.title"),
        ({"title": "x" * 201}, "input.title"),
        ({"title": "A", "description": "x" * 5001}, "input.description"),
        ({"title": "A", "category": "x" * 101}, "input.category"),
        ({"title": "A", "priority": -1}, "input.priority"),
        ({"title": "A", "priority": 101}, "input.priority"),
        ({"title": "A", "sortOrder": -1}, "input.sortOrder"),
        ({"title": "A", "status": "COMPLETED"}, "input.status"),
    ):
        refused = await unchanged(engine, mutate, CREATE, {"input": fields}, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields


async def test_update_and_delete_goal(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    goal = await _create(mutate, viewer, description="Four tracks", category="music", priority=3)
    updated = await payload_of(
        mutate, UPDATE, {"id": goal, "input": {"category": None, "status": "PAUSED"}}, viewer
    )
    assert (
        updated["goal"]["description"],
        updated["goal"]["category"],
        updated["goal"]["status"],
        updated["goal"]["priority"],
    ) == ("Four tracks", None, "PAUSED", 3)
    for fields, field in (
        ({"title": None}, "input.title"),
        ({"priority": None}, "input.priority"),
        ({"status": "COMPLETED"}, "input.status"),
    ):
        refused = await unchanged(engine, mutate, UPDATE, {"id": goal, "input": fields}, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields
    stranger = await committed_user(engine)
    for query, variables in (
        (UPDATE, {"id": goal, "input": {"title": "Mine"}}),
        (DELETE, {"id": goal}),
        (ADD, {"goalId": goal, "input": {"title": "Mine"}}),
        (COMPLETE, {"id": goal, "key": "k"}),
    ):
        hidden = await unchanged(engine, mutate, query, variables, stranger)
        assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "Goal"), query
    await _milestone(mutate, viewer, goal)
    deleted = await payload_of(mutate, DELETE, {"id": goal}, viewer)
    assert deleted["deletedGoalId"] == goal
    assert (
        await value(engine, "SELECT count(*) FROM goal_milestones WHERE goal_id = :g", g=goal) == 0
    )


async def test_milestones_drive_progress_and_pay_once(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    quest = await value(
        engine,
        "SELECT id FROM universal_quests WHERE target_type = 'milestones_completed' LIMIT 1",
    )
    await payload_of(mutate, ACCEPT, {"id": str(quest)}, viewer)
    goal = await _create(mutate, viewer)
    first = await _milestone(mutate, viewer, goal, "Write")
    second = await _milestone(mutate, viewer, goal, "Mix")
    third = await _milestone(mutate, viewer, goal, "Master")
    assert await value(engine, "SELECT sort_order FROM goal_milestones WHERE id = :m", m=third) == 2
    done = await payload_of(mutate, COMPLETE_MILESTONE, {"id": first, "key": "m1"}, viewer)
    assert done["__typename"] == "CompleteGoalMilestoneSuccess", done
    assert done["milestone"]["isCompleted"] is True
    assert done["goal"] == {"progress": 33, "status": "ACTIVE"}
    assert done["wallet"]["coins"] == MILESTONE_COINS
    ledger = await row(
        engine,
        "SELECT xp, coins FROM points_ledger WHERE user_id = :u AND idempotency_key = :k",
        u=viewer.user_id,
        k=f"goal.milestone.completed:{first}",
    )
    assert tuple(ledger) == (MILESTONE_XP, MILESTONE_COINS)
    assert (
        await value(
            engine,
            "SELECT progress FROM user_quest_progress WHERE user_id = :u AND quest_id = :q",
            u=viewer.user_id,
            q=quest,
        )
        == 1
    )
    replay = await unchanged(engine, mutate, COMPLETE_MILESTONE, {"id": first, "key": "m1"}, viewer)
    assert replay == done
    twice = await unchanged(engine, mutate, COMPLETE_MILESTONE, {"id": first, "key": "m2"}, viewer)
    assert (twice["__typename"], twice["status"]) == ("InvalidState", "completed")
    stranger = await committed_user(engine)
    for query, variables in (
        (COMPLETE_MILESTONE, {"id": second, "key": "x"}),
        (UPDATE_MILESTONE, {"id": second, "input": {"title": "Mine"}}),
        (DELETE_MILESTONE, {"id": second}),
    ):
        hidden = await unchanged(engine, mutate, query, variables, stranger)
        assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "GoalMilestone")
    renamed = await payload_of(
        mutate, UPDATE_MILESTONE, {"id": second, "input": {"description": "Stems"}}, viewer
    )
    assert (renamed["milestone"]["title"], renamed["milestone"]["description"]) == ("Mix", "Stems")
    bad = await unchanged(
        engine, mutate, UPDATE_MILESTONE, {"id": second, "input": {"title": " "}}, viewer
    )
    assert (bad["__typename"], bad["field"]) == ("InvalidInput", "input.title")
    removed = await payload_of(mutate, DELETE_MILESTONE, {"id": third}, viewer)
    assert removed["goal"]["progress"] == 50
    await payload_of(mutate, COMPLETE_MILESTONE, {"id": second, "key": "m3"}, viewer)
    assert await value(engine, "SELECT progress FROM goals WHERE id = :g", g=goal) == 100
    quest_row = await row(
        engine,
        "SELECT progress, status FROM user_quest_progress WHERE user_id = :u AND quest_id = :q",
        u=viewer.user_id,
        q=quest,
    )
    assert (quest_row.progress, quest_row.status) == (2, "completed")


async def test_complete_goal_once_and_final(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    goal = await _create(mutate, viewer)
    open_milestone = await _milestone(mutate, viewer, goal)
    done = await payload_of(mutate, COMPLETE, {"id": goal, "key": "g"}, viewer)
    assert done["__typename"] == "CompleteGoalSuccess", done
    assert (done["goal"]["status"], done["goal"]["progress"]) == ("COMPLETED", 100)
    assert done["wallet"]["coins"] == GOAL_COINS
    ledger = await row(
        engine,
        "SELECT xp, coins, skill_stars, skill_key FROM points_ledger "
        "WHERE user_id = :u AND idempotency_key = :k",
        u=viewer.user_id,
        k=f"goal.completed:{goal}",
    )
    assert tuple(ledger) == (GOAL_XP, GOAL_COINS, 1, "discipline")
    assert await unchanged(engine, mutate, COMPLETE, {"id": goal, "key": "g"}, viewer) == done
    for query, variables in (
        (COMPLETE, {"id": goal, "key": "again"}),
        (UPDATE, {"id": goal, "input": {"status": "ACTIVE"}}),
        (ADD, {"goalId": goal, "input": {"title": "Late"}}),
        (COMPLETE_MILESTONE, {"id": open_milestone, "key": _key()}),
        (DELETE_MILESTONE, {"id": open_milestone}),
    ):
        refused = await unchanged(engine, mutate, query, variables, viewer)
        assert (refused["__typename"], refused["status"]) == ("InvalidState", "completed"), query
    abandoned = await _create(mutate, viewer, status="ABANDONED")
    refused = await unchanged(engine, mutate, COMPLETE, {"id": abandoned, "key": _key()}, viewer)
    assert (refused["__typename"], refused["status"]) == ("InvalidState", "abandoned")
    reopened = await payload_of(
        mutate, UPDATE, {"id": abandoned, "input": {"status": "ACTIVE"}}, viewer
    )
    assert reopened["goal"]["status"] == "ACTIVE"
