"""Gamification tables: skills, achievements, progress (XP, level), wallet (coins), the
points ledger and streaks.

Columns: spec/004 migration 0002; defaults and meanings: spec/003 section 4; the wallet
resolution (``coins``, ``total_earned``, ``total_spent``): DESIGN.md section 2.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class SkillCategory(enum.StrEnum):
    """The six skill families a producer levels up (spec/000 Part 7)."""

    FOCUS = "focus"
    DISCIPLINE = "discipline"
    KNOWLEDGE = "knowledge"
    FITNESS = "fitness"
    CREATIVITY = "creativity"
    WELLNESS = "wellness"


class AchievementTriggerType(enum.StrEnum):
    """What an achievement definition listens to; ``trigger_config`` holds the threshold."""

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
    __tablename__ = "skill_definitions"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[SkillCategory]
    icon: Mapped[str | None]
    max_level: Mapped[int] = mapped_column(server_default="10")
    stars_per_level: Mapped[int] = mapped_column(server_default="10")
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        CheckConstraint("max_level > 0", name="max_level_positive"),
        CheckConstraint("stars_per_level > 0", name="stars_per_level_positive"),
    )


class UserSkill(Base):
    __tablename__ = "user_skills"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    skill_key: Mapped[str] = fk("skill_definitions.key", ondelete="CASCADE", rel="skill")
    current_stars: Mapped[int] = mapped_column(server_default="0")
    current_level: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "skill_key"),
        *non_negative("current_stars", "current_level"),
    )


class AchievementDefinition(Base):
    __tablename__ = "achievement_definitions"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str]
    icon: Mapped[str | None]
    trigger_type: Mapped[AchievementTriggerType]
    trigger_config: Mapped[JSON] = mapped_column(server_default="{}")
    reward_coins: Mapped[int] = mapped_column(server_default="0")
    reward_xp: Mapped[int] = mapped_column(server_default="0")
    is_hidden: Mapped[bool] = mapped_column(server_default="false")
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]

    __table_args__ = (*non_negative("reward_coins", "reward_xp"),)


class UserAchievement(Base):
    __tablename__ = "user_achievements"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    achievement_key: Mapped[str] = fk(
        "achievement_definitions.key", ondelete="CASCADE", rel="achievement", reverse="unlocks"
    )
    earned_at: Mapped[datetime] = mapped_column(server_default=func.now())
    notified: Mapped[bool] = mapped_column(server_default="false")

    __table_args__ = (UniqueConstraint("user_id", "achievement_key"),)


class UserProgress(Base):
    __tablename__ = "user_progress"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(unique=True)
    total_xp: Mapped[int] = mapped_column(server_default="0")
    current_level: Mapped[int] = mapped_column(server_default="1")
    xp_to_next_level: Mapped[int] = mapped_column(server_default="100")
    total_skill_stars: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("total_xp"),
        CheckConstraint("current_level >= 1", name="current_level_positive"),
        *non_negative("xp_to_next_level", "total_skill_stars"),
    )


class UserWallet(Base):
    __tablename__ = "user_wallet"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(unique=True)
    coins: Mapped[int] = mapped_column(server_default="0")
    total_earned: Mapped[int] = mapped_column(server_default="0")
    total_spent: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("coins", "total_earned", "total_spent"),
        CheckConstraint("total_earned - total_spent = coins", name="balance_matches_totals"),
    )


class PointsLedgerEntry(Base):
    """One change of coins, XP or skill stars (DESIGN.md section 3, "Ledger first")."""

    __tablename__ = "points_ledger"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    event_type: Mapped[str]
    event_id: Mapped[str | None]
    coins: Mapped[int] = mapped_column(server_default="0")
    xp: Mapped[int] = mapped_column(server_default="0")
    skill_stars: Mapped[int] = mapped_column(server_default="0")
    skill_key: Mapped[str | None] = fk(
        "skill_definitions.key", ondelete=None, nullable=True, rel="skill", reverse="ledgerEntries"
    )
    reason: Mapped[str | None]
    idempotency_key: Mapped[str | None]
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key"),
        CheckConstraint(
            "skill_stars = 0 OR skill_key IS NOT NULL", name="skill_stars_need_skill_key"
        ),
    )


class UserStreak(Base):
    __tablename__ = "user_streaks"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    streak_type: Mapped[str]
    current_streak: Mapped[int] = mapped_column(server_default="0")
    longest_streak: Mapped[int] = mapped_column(server_default="0")
    last_activity_date: Mapped[date | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "streak_type"),
        *non_negative("current_streak"),
        CheckConstraint("longest_streak >= current_streak", name="longest_at_least_current"),
    )
