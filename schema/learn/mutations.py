"""Learn mutations: open and complete lessons, record ear-training drill rounds (Ignition
specification, "Learn Drill Flow"). The rules live in :mod:`db.learn.transitions` and
:mod:`db.learn.rules`; these declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated

import strawberry

from db.errors import InvalidState, NotFound
from db.learn import transitions
from db.learn.rules import QUIZ_SCORE, ROUND_CORRECT, ROUND_SECONDS, ROUND_TOTAL
from schema.core.mutations import IDEMPOTENCY_KEY, Ids, Tx, id_arg, mutation

LessonId = Annotated[
    strawberry.ID, strawberry.argument(description="A lesson of the catalog (`LearnLesson.id`).")
]

_PAYLOAD_FIELDS = {
    "ledger_entry": "The points ledger row of the reward; null when nothing was paid.",
}


@strawberry.input(description="A lesson completion (its reward is paid on the first one only).")
class CompleteLessonInput:
    lesson_id: strawberry.ID = strawberry.field(
        description="The lesson completed (`LearnLesson.id`)."
    )
    quiz_score: Annotated[int | None, QUIZ_SCORE] = strawberry.field(
        default=None,
        description="The quiz score, in percent; null when no quiz was taken. The best score "
        "is kept.",
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input(description="One finished round of an ear-training drill.")
class RecordDrillAttemptInput:
    drill_id: strawberry.ID = strawberry.field(description="The drill played (`LearnDrill.id`).")
    correct: Annotated[int, ROUND_CORRECT] = strawberry.field(
        description="Questions answered right, at most `total`.",
    )
    total: Annotated[int, ROUND_TOTAL] = strawberry.field(
        description="Questions in the round.",
    )
    duration_seconds: Annotated[int, ROUND_SECONDS] = strawberry.field(
        description="How long the round took, in seconds.",
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@mutation(
    description="Open a lesson: the viewer's progress on it becomes IN_PROGRESS and counts "
    "one more attempt (a completed lesson stays COMPLETED; retaking it counts at its "
    "completion).",
    returns={"progress": "user_lesson_progress"},
    errors=(NotFound,),
)
async def start_lesson(tx: Tx, lesson_id: LessonId) -> Ids:
    return {
        "progress": await transitions.start_lesson(
            tx.conn, tx.viewer.user_id, id_arg(lesson_id, "lessonId")
        )
    }


@mutation(
    description='Complete a lesson (Ignition specification, "Learn Drill Flow"): the first '
    "completion pays the lesson's XP, coins and skill stars through the points ledger "
    "(20 XP, 10 coins, 1 star by default), advances the lesson quests by one and evaluates "
    "the achievements; a later completion records the quiz score and attempt and pays "
    "nothing.",
    returns={
        "progress": "user_lesson_progress",
        "wallet": "user_wallet",
        "user_progress": "user_progress",
        "ledger_entry": "points_ledger?",
        "unlocked_achievements": ["user_achievements"],
        "first_completion": bool,
    },
    errors=(NotFound,),
    idempotent=True,
    fields={
        **_PAYLOAD_FIELDS,
        "first_completion": "Whether this was the viewer's first completion of the lesson "
        "(the one that pays).",
    },
)
async def complete_lesson(tx: Tx, input: CompleteLessonInput) -> Ids:
    done = await transitions.complete_lesson(
        tx.conn, tx.viewer.user_id, id_arg(input.lesson_id, "input.lessonId"), input.quiz_score
    )
    return {
        "progress": done.progress_id,
        "wallet": done.wallet_id,
        "user_progress": done.user_progress_id,
        "ledger_entry": done.posting.entry_id if done.posting else None,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
        "first_completion": done.first,
    }


@mutation(
    description="Record one round of an ear-training drill "
    '(Ignition specification, "Learn Drill Flow"): '
    "the viewer's drill statistics are updated (questions answered, best and "
    "average score, streak of perfect rounds, time, next due date), the drill's XP is paid "
    "through the points ledger (5 XP by default), drill quests advance by the questions "
    "answered and the achievements are evaluated.",
    returns={
        "stats": "user_drill_stats",
        "wallet": "user_wallet",
        "user_progress": "user_progress",
        "ledger_entry": "points_ledger?",
        "unlocked_achievements": ["user_achievements"],
        "score": int,
    },
    errors=(NotFound, InvalidState),
    idempotent=True,
    fields={**_PAYLOAD_FIELDS, "score": "The round's score, in percent (0-100, rounded)."},
)
async def record_drill_attempt(tx: Tx, input: RecordDrillAttemptInput) -> Ids:
    done = await transitions.record_drill_attempt(
        tx.conn,
        tx.viewer.user_id,
        id_arg(input.drill_id, "input.drillId"),
        correct=input.correct,
        total=input.total,
        duration_seconds=input.duration_seconds,
    )
    return {
        "stats": done.stats_id,
        "wallet": done.wallet_id,
        "user_progress": done.user_progress_id,
        "ledger_entry": done.posting.entry_id if done.posting else None,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
        "score": done.score,
    }
