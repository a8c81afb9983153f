"""Gamification tables: skills, achievements, progress (XP, level), wallet (coins), the
points ledger and streaks.

Columns: Ignition specification, "Migration 0002: Gamification Substrate"; defaults and meanings:
Ignition specification, "Section 4: Gamification Tables"; the wallet resolution (``coins``,
``total_earned``, ``total_spent``): docs/design.md#the-schema.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class SkillCategory(enum.StrEnum):
    """The six skill families a producer levels up.

    - ``focus``: deep work and attention.
    - ``discipline``: habits and consistency.
    - ``knowledge``: music theory and production know-how.
    - ``fitness``: physical health.
    - ``creativity``: making music.
    - ``wellness``: rest and balance.
    """

    FOCUS = "focus"
    DISCIPLINE = "discipline"
    KNOWLEDGE = "knowledge"
    FITNESS = "fitness"
    CREATIVITY = "creativity"
    WELLNESS = "wellness"


class AchievementTriggerType(enum.StrEnum):
    """What an achievement definition listens to; ``trigger_config`` holds the threshold.

    - ``focus_sessions_completed``: focus sessions completed, in total.
    - ``focus_minutes_total``: minutes of completed focus, in total.
    - ``streak_days``: days in the user's daily streak.
    - ``level_reached``: the user's level.
    - ``purchases_made``: market purchases made, in total.
    - ``habit_completions``: habit completions, in total.
    - ``quests_completed``: quests completed, in total.
    - ``lessons_completed``: lessons completed, in total.
    - ``drill_attempts``: ear-training drill rounds played, in total.
    - ``workouts_completed``: workout sessions completed, in total.
    - ``books_completed``: books finished, in total.
    - ``coins_earned_total``: coins earned, in total.
    """

    FOCUS_SESSIONS_COMPLETED = "focus_sessions_completed"
    FOCUS_MINUTES_TOTAL = "focus_minutes_total"
    STREAK_DAYS = "streak_days"
    LEVEL_REACHED = "level_reached"
    PURCHASES_MADE = "purchases_made"
    HABIT_COMPLETIONS = "habit_completions"
    QUESTS_COMPLETED = "quests_completed"
    LESSONS_COMPLETED = "lessons_completed"
    DRILL_ATTEMPTS = "drill_attempts"
    WORKOUTS_COMPLETED = "workouts_completed"
    BOOKS_COMPLETED = "books_completed"
    COINS_EARNED_TOTAL = "coins_earned_total"


class SkillDefinition(Base):
    """A skill a producer levels up by earning skill stars (one of six families: focus, discipline,
    knowledge, fitness, creativity, wellness)."""

    __tablename__ = "skill_definitions"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(
        unique=True,
        doc="The skill's stable identifier (unique), used by the seeds, the ledger and links.",
    )
    name: Mapped[str] = mapped_column(doc="The skill's display name.")
    description: Mapped[str | None] = mapped_column(doc="What the skill covers.")
    category: Mapped[SkillCategory] = mapped_column(doc="The skill family.")
    icon: Mapped[str | None] = mapped_column(doc="Icon identifier shown with the skill.")
    max_level: Mapped[int] = mapped_column(
        server_default="10", doc="The highest level the skill can reach."
    )
    stars_per_level: Mapped[int] = mapped_column(
        server_default="10", doc="Skill stars needed to go up one level."
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the skill list (ascending)."
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="true",
        doc="Whether staff offer the skill to new quests and lessons; users' stars stay.",
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        CheckConstraint("max_level > 0", name="max_level_positive"),
        CheckConstraint("stars_per_level > 0", name="stars_per_level_positive"),
    )


class UserSkill(Base):
    """A user's standing in one skill: stars earned and the level they make."""

    __tablename__ = "user_skills"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    skill_key: Mapped[str] = fk(
        "skill_definitions.key", ondelete="CASCADE", rel="skill", doc="The skill."
    )
    current_stars: Mapped[int] = mapped_column(
        server_default="0", doc="Skill stars earned in this skill, in total."
    )
    current_level: Mapped[int] = mapped_column(
        server_default="0",
        doc=(
            "The level those stars make (stars divided by the skill's "
            "`starsPerLevel`, at most its `maxLevel`)."
        ),
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "skill_key"),
        *non_negative("current_stars", "current_level"),
    )


class AchievementDefinition(Base):
    """An achievement users can unlock, with the trigger that unlocks it and its reward."""

    __tablename__ = "achievement_definitions"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(
        unique=True,
        doc="The achievement's stable identifier (unique), used by the seeds and links.",
    )
    name: Mapped[str] = mapped_column(doc="The achievement's display name.")
    description: Mapped[str | None] = mapped_column(doc="What it takes to unlock it.")
    category: Mapped[str] = mapped_column(doc="A free category the achievement is shown under.")
    icon: Mapped[str | None] = mapped_column(doc="Icon identifier shown with the achievement.")
    trigger_type: Mapped[AchievementTriggerType] = mapped_column(
        doc="The activity the achievement listens to."
    )
    trigger_config: Mapped[JSON] = mapped_column(
        server_default="{}",
        doc=(
            'The trigger\'s parameters, as JSON (e.g. `{"threshold": 10}`: the '
            "count, minutes, days, level or coins to reach)."
        ),
    )
    reward_coins: Mapped[int] = mapped_column(
        server_default="0", doc="Coins paid once when the achievement is unlocked."
    )
    reward_xp: Mapped[int] = mapped_column(
        server_default="0", doc="XP paid once when the achievement is unlocked."
    )
    is_hidden: Mapped[bool] = mapped_column(
        server_default="false",
        doc="Whether the achievement stays secret until unlocked: until the viewer unlocks it, "
        "its name reads `Hidden achievement`, its description and trigger type null and its "
        "trigger config `{}`.",
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the achievement list (ascending)."
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="true",
        doc="Whether the achievement can still be unlocked; unlocks made stay.",
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (*non_negative("reward_coins", "reward_xp"),)


class UserAchievement(Base):
    """An achievement a user unlocked (once per user and achievement)."""

    __tablename__ = "user_achievements"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    achievement_key: Mapped[str] = fk(
        "achievement_definitions.key",
        ondelete="CASCADE",
        rel="achievement",
        reverse="unlocks",
        doc="The achievement unlocked.",
    )
    earned_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When it was unlocked."
    )
    notified: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the user has been shown the unlock."
    )

    __table_args__ = (UniqueConstraint("user_id", "achievement_key"),)


class UserProgress(Base):
    """A user's XP and level (one row per user); `totalXp` is the sum of the ledger's XP.

    Level n takes 100 x n XP to reach level n + 1: level 1 starts at 0 XP, level 2 at 100, level
    3 at 300."""

    __tablename__ = "user_progress"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(
        unique=True, doc="The user whose progress this is (deleting the user deletes it)."
    )
    total_xp: Mapped[int] = mapped_column(
        server_default="0", doc="All XP the user earned, in total."
    )
    current_level: Mapped[int] = mapped_column(
        server_default="1", doc="The level `totalXp` reaches (1 for a new user)."
    )
    xp_to_next_level: Mapped[int] = mapped_column(
        server_default="100", doc="The XP still missing to reach the next level."
    )
    total_skill_stars: Mapped[int] = mapped_column(
        server_default="0", doc="Skill stars earned over all skills."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("total_xp"),
        CheckConstraint("current_level >= 1", name="current_level_positive"),
        *non_negative("xp_to_next_level", "total_skill_stars"),
    )


class UserWallet(Base):
    """A user's coin balance (one row per user): `coins` is always the sum of the ledger's coins,
    and `totalEarned - totalSpent = coins`."""

    __tablename__ = "user_wallet"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(
        unique=True, doc="The user whose wallet this is (deleting the user deletes it)."
    )
    coins: Mapped[int] = mapped_column(
        server_default="0", doc="The coins the user has now (never negative)."
    )
    total_earned: Mapped[int] = mapped_column(
        server_default="0", doc="All coins the user ever received."
    )
    total_spent: Mapped[int] = mapped_column(
        server_default="0", doc="All coins the user ever spent."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("coins", "total_earned", "total_spent"),
        CheckConstraint("total_earned - total_spent = coins", name="balance_matches_totals"),
    )


class PointsLedgerEntry(Base):
    """One change of a user's coins, XP or skill stars; wallet and progress are sums of these
    entries."""

    __tablename__ = "points_ledger"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    event_type: Mapped[str] = mapped_column(
        doc=(
            "What caused the change (e.g. `focus_complete`, `market_purchase`, "
            "`achievement_unlocked`, `admin_grant`)."
        )
    )
    event_id: Mapped[str | None] = mapped_column(
        doc="The id of the row that caused it (a focus session, a purchase, ...), as text."
    )
    coins: Mapped[int] = mapped_column(
        server_default="0", doc="The change of coins (negative for spending)."
    )
    xp: Mapped[int] = mapped_column(server_default="0", doc="The change of XP.")
    skill_stars: Mapped[int] = mapped_column(
        server_default="0", doc="The change of skill stars of `skillKey`."
    )
    skill_key: Mapped[str | None] = fk(
        "skill_definitions.key",
        ondelete=None,
        nullable=True,
        rel="skill",
        reverse="ledgerEntries",
        doc="The skill that received `skillStars`, if any.",
    )
    reason: Mapped[str | None] = mapped_column(doc="Why, in words, as shown in the ledger.")
    idempotency_key: Mapped[str | None] = mapped_column(
        doc="The key that makes the award happen once (unique per user)."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key"),
        CheckConstraint(
            "skill_stars = 0 OR skill_key IS NOT NULL", name="skill_stars_need_skill_key"
        ),
    )


class UserStreak(Base):
    """A user's streak of one kind: consecutive days with that activity."""

    __tablename__ = "user_streaks"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    streak_type: Mapped[str] = mapped_column(
        doc="The activity counted (e.g. `daily`, `focus`, `habits`)."
    )
    current_streak: Mapped[int] = mapped_column(
        server_default="0",
        doc="Consecutive days with the activity, up to the latest one; 0 once a whole day "
        "(UTC) passed without it.",
    )
    longest_streak: Mapped[int] = mapped_column(
        server_default="0", doc="The longest streak ever reached, in days."
    )
    last_activity_date: Mapped[date | None] = mapped_column(doc="The last day with the activity.")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "streak_type"),
        *non_negative("current_streak"),
        CheckConstraint("longest_streak >= current_streak", name="longest_at_least_current"),
    )
