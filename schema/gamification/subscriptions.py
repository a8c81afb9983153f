"""Gamification subscriptions: the viewer's wallet, achievements and levels as they change
(the ledger publishes ``wallet.changed``, ``level.up`` and ``skill.level.up``, the achievement
evaluation ``achievement.unlocked``)."""

from __future__ import annotations

from db.events.outbox import Topic
from schema.core.subscriptions import Row, Value, subscription

WALLET_CHANGED = subscription(
    "walletChanged",
    event="WalletChangedEvent",
    description="The viewer's coins changed (a ledger entry with coins: an award, a purchase, "
    "a refund, a correction).",
    topics=(Topic.WALLET_CHANGED,),
    fields={
        "coins": Value(int, "coins", "The change, in coins (negative: spent)."),
        "balance": Value(int, "balance", "The wallet's coins right after this change."),
        "wallet": Row("user_wallet", "wallet_id", "The wallet, as it is now."),
        "ledger_entry": Row("points_ledger", "ledger_entry_id", "The ledger entry of the change."),
    },
)

ACHIEVEMENT_UNLOCKED = subscription(
    "achievementUnlocked",
    event="AchievementUnlockedEvent",
    description="The viewer unlocked an achievement (its reward is a separate `walletChanged`).",
    topics=(Topic.ACHIEVEMENT_UNLOCKED,),
    fields={
        "achievement": Row(
            "user_achievements",
            "user_achievement_id",
            "The unlocked achievement; its definition is `achievement.achievement`.",
        ),
    },
)

PROGRESS_EVENTS = subscription(
    "progressEvents",
    event="ProgressEvent",
    description="The viewer reached a new level (LEVEL_UP, from XP) or a skill reached a new "
    "level (SKILL_LEVEL_UP, from skill stars); one event per ledger entry that crossed levels.",
    topics={Topic.LEVEL_UP: "LEVEL_UP", Topic.SKILL_LEVEL_UP: "SKILL_LEVEL_UP"},
    fields={
        "level": Value(int, "level", "The level reached (of the viewer, or of `skillKey`)."),
        "previous_level": Value(int, "previous_level", "The level before this change."),
        "skill_key": Value(
            str,
            "skill_key",
            "The skill that leveled up (`skillDefinitions.key`); null for LEVEL_UP.",
            optional=True,
        ),
        "total_xp": Value(
            int,
            "total_xp",
            "The viewer's XP right after this change; null for SKILL_LEVEL_UP.",
            optional=True,
        ),
    },
)
