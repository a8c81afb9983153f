"""Quest subscriptions: the viewer's quests as they reach their target and as their rewards
are claimed (``quest.completed``: a universal quest's progress reaching its target, published
by :func:`db.quests.progress.advance_quests`, or an own quest completed and paid,
:mod:`db.quests.user_quests`; ``quest.claimed``: a universal quest's reward paid,
:func:`db.quests.progress.claim_quest_reward`)."""

from __future__ import annotations

from db.events.outbox import Topic
from schema.core.subscriptions import Row, subscription

QUEST_EVENTS = subscription(
    "questEvents",
    event="QuestEvent",
    description="A quest of the viewer reached its target (COMPLETED: a universal quest's "
    "progress, or an own quest completed, whose reward is paid at once) or a universal "
    "quest's reward was claimed (CLAIMED).",
    topics={Topic.QUEST_COMPLETED: "COMPLETED", Topic.QUEST_CLAIMED: "CLAIMED"},
    fields={
        "progress": Row(
            "user_quest_progress",
            "user_quest_progress_id",
            "The viewer's progress on the universal quest, as it is now; null for an own quest.",
            optional=True,
        ),
        "user_quest": Row(
            "user_quests",
            "user_quest_id",
            "The viewer's own quest, as it is now; null for a universal quest.",
            optional=True,
        ),
    },
)
