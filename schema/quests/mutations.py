"""Quest mutations: universal quests (accept, claim the reward) and the viewer's own quests
(create, update, complete, abandon). The rules live in :mod:`db.quests.progress`,
:mod:`db.quests.transitions` and :mod:`db.quests.rules`; these declarations only map arguments
and results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from db.errors import (
    AlreadyClaimed,
    AlreadyCompleted,
    InvalidState,
    NotFound,
    QuestNotCompleted,
)
from db.quests import progress, transitions
from db.quests.models import QuestDifficulty, RepeatFrequency, UserQuest
from db.quests.rules import USER_QUEST_REWARDS
from db.quests.transitions import CATEGORY, DESCRIPTION, TITLE
from schema.core.descriptions import column_doc
from schema.core.mutations import IdempotencyKey, Ids, Tx, given_fields, id_arg, mutation, plain
from schema.core.types import graphql_enum

QuestDifficultyEnum: Any = graphql_enum(QuestDifficulty)
RepeatFrequencyEnum: Any = graphql_enum(RepeatFrequency)

QuestId = Annotated[strawberry.ID, strawberry.argument(description="A universal quest's id.")]
UserQuestId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's own quests.")
]


def _doc(column: str) -> str:
    """The model's text of a ``user_quests`` column (the input field mirrors it)."""
    return column_doc(UserQuest, column)


_REWARDS = ", ".join(
    f"{name.upper()} {xp} XP and {coins} coins" for name, (xp, coins) in USER_QUEST_REWARDS.items()
)


@strawberry.input(
    description=f"A quest of the viewer's own. The reward follows from the difficulty: {_REWARDS}."
)
class CreateQuestInput:
    title: Annotated[str, TITLE] = strawberry.field(description=_doc("title"))
    category: Annotated[str, CATEGORY] = strawberry.field(
        description=f"{_doc('category')} For example `creativity`."
    )
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=None, description=_doc("description")
    )
    difficulty: QuestDifficultyEnum = strawberry.field(
        default=QuestDifficulty.STARTER, description=f"{_doc('difficulty')} It sets the reward."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description=f"{_doc('expires_at')} A future moment."
    )
    is_repeatable: bool = strawberry.field(
        default=False,
        description=f"{_doc('is_repeatable')} Completed once per `repeatFrequency` period, "
        "with a streak.",
    )
    repeat_frequency: RepeatFrequencyEnum | None = strawberry.field(
        default=None, description=f"{_doc('repeat_frequency')} Required with `isRepeatable`."
    )


@strawberry.input(
    description="The fields to change; a field left out keeps its value, `null` clears an "
    "optional one. A new difficulty sets the matching reward."
)
class UpdateQuestInput:
    title: Annotated[str | None, TITLE] = strawberry.field(
        default=strawberry.UNSET, description="A new title."
    )
    category: Annotated[str | None, CATEGORY] = strawberry.field(
        default=strawberry.UNSET, description="A new category."
    )
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    difficulty: QuestDifficultyEnum | None = strawberry.field(
        default=strawberry.UNSET, description="A new difficulty, and with it the reward."
    )
    expires_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A new (future) expiry; null removes it."
    )
    is_repeatable: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Repeatable or not (false also clears `repeatFrequency`).",
    )
    repeat_frequency: RepeatFrequencyEnum | None = strawberry.field(
        default=strawberry.UNSET, description="The period of a repeatable quest."
    )


async def expire_overdue(tx: Tx) -> None:
    """Before the own-quest transitions (their ``prepare`` step, committed whatever the
    outcome): the viewer's quests past ``expiresAt`` become ``expired``."""
    await transitions.expire_overdue(tx.conn, tx.viewer.user_id)


# ---- universal quests ----------------------------------------------------------------------


@mutation(
    description="Accept a universal quest: its progress starts at 0 in the current period "
    "(daily quests reset at local midnight in the user's `timezone` setting, weekly ones on "
    "their `week_starts_on` day, monthly ones on the 1st) and "
    "advances with the "
    "viewer's activity. An abandoned quest can be accepted again.",
    returns={"quest_progress": "user_quest_progress"},
    errors=(NotFound, InvalidState),
)
async def accept_quest(tx: Tx, quest_id: QuestId) -> Ids:
    progress_id = await progress.accept_quest(
        tx.conn, tx.viewer.user_id, id_arg(quest_id, "questId")
    )
    return {"quest_progress": progress_id}


@mutation(
    description="Claim the reward of a completed universal quest (XP, coins and a star of its "
    "skill, through the points ledger), once per completion; an unclaimed daily, weekly or "
    "monthly "
    "completion lapses when its period ends.",
    returns={
        "quest_progress": "user_quest_progress",
        "wallet": "user_wallet",
        "unlocked_achievements": ["user_achievements"],
    },
    errors=(NotFound, QuestNotCompleted, AlreadyClaimed, InvalidState),
    idempotent=True,
)
async def claim_quest_reward(tx: Tx, quest_id: QuestId, idempotency_key: IdempotencyKey) -> Ids:
    claim = await progress.claim_quest_reward(
        tx.conn, tx.viewer.user_id, id_arg(quest_id, "questId")
    )
    return {
        "quest_progress": claim.progress_id,
        "wallet": claim.posting.wallet.id,
        "unlocked_achievements": [u.user_achievement_id for u in claim.unlocked],
    }


# ---- own quests ----------------------------------------------------------------------------


@mutation(
    description="Create a quest of the viewer's own, accepted.",
    returns={"quest": "user_quests"},
)
async def create_quest(tx: Tx, input: CreateQuestInput) -> Ids:
    quest_id = await transitions.create_quest(
        tx.conn,
        tx.viewer.user_id,
        title=input.title,
        category=input.category,
        description=input.description,
        difficulty=plain(input.difficulty),
        expires_at=input.expires_at,
        is_repeatable=input.is_repeatable,
        repeat_frequency=plain(input.repeat_frequency),
    )
    return {"quest": quest_id}


@mutation(
    description="Change some fields of one of the viewer's open quests.",
    returns={"quest": "user_quests"},
    errors=(NotFound, InvalidState),
    prepare=expire_overdue,
)
async def update_quest(tx: Tx, id: UserQuestId, input: UpdateQuestInput) -> Ids:
    changes = given_fields(input)
    quest_id = await transitions.update_quest(tx.conn, tx.viewer.user_id, id_arg(id, "id"), changes)
    return {"quest": quest_id}


@mutation(
    description="Complete one of the viewer's quests and receive its reward through the points "
    "ledger. A repeatable quest is completed once per period (a day, week or month) and its "
    "streak grows when the previous period was completed too.",
    returns={
        "quest": "user_quests",
        "wallet": "user_wallet",
        "unlocked_achievements": ["user_achievements"],
    },
    errors=(NotFound, InvalidState, AlreadyCompleted),
    idempotent=True,
    prepare=expire_overdue,
)
async def complete_quest(tx: Tx, id: UserQuestId, idempotency_key: IdempotencyKey) -> Ids:
    done = await transitions.complete_quest(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    return {
        "quest": done.quest_id,
        "wallet": done.posting.wallet.id,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
    }


@mutation(
    description="Give up one of the viewer's open quests (nothing is paid or taken back).",
    returns={"quest": "user_quests"},
    errors=(NotFound, InvalidState),
    prepare=expire_overdue,
)
async def abandon_quest(tx: Tx, id: UserQuestId) -> Ids:
    return {"quest": await transitions.abandon_quest(tx.conn, tx.viewer.user_id, id_arg(id, "id"))}
