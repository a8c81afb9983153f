"""Gamification subscriptions: the viewer's wallet and achievements as they change (the
ledger publishes ``wallet.changed``, the achievement evaluation ``achievement.unlocked``)."""

from __future__ import annotations

from db.events.outbox import Topic
from schema.core.subscriptions import Row, Value, subscription

subscription(
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

subscription(
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
