"""Quest tables: the universal quest catalog, each user's progress on it, and users' own quests.

Columns: spec/004 migration 0005; types, defaults and status values: spec/003 section 7
(``quests`` there is ``user_quests`` here, DESIGN.md section 2); the accept / progress /
complete / claim flow and the period resets: DESIGN.md section 3 ("Quests"). A universal quest's
``title`` is its natural key (the seeds upsert by it).

Values chosen here (spec/003 lists none): ``universal_quests.target_type``, the activity that
advances a quest (``manual``: only an explicit update does). ``user_quest_progress.status`` is
spec/003's accepted/completed/abandoned plus ``claimed`` (the one-time reward claim);
``user_quests.status`` adds ``abandoned`` and ``expired`` to spec/003's available/accepted/
completed.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class QuestType(enum.StrEnum):
    """How often a universal quest resets: daily, weekly, or never (``special``)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    SPECIAL = "special"


class QuestTargetType(enum.StrEnum):
    """The activity counted towards a universal quest's ``target``."""

    MANUAL = "manual"
    FOCUS_SESSIONS_COMPLETED = "focus_sessions_completed"
    FOCUS_MINUTES = "focus_minutes"
    HABIT_COMPLETIONS = "habit_completions"
    MILESTONES_COMPLETED = "milestones_completed"
    PLAN_ITEMS_COMPLETED = "plan_items_completed"
    LESSONS_COMPLETED = "lessons_completed"
    DRILL_ATTEMPTS = "drill_attempts"
    WORKOUTS_COMPLETED = "workouts_completed"
    PAGES_READ = "pages_read"


class QuestProgressStatus(enum.StrEnum):
    """A user's state on one universal quest."""

    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CLAIMED = "claimed"
    ABANDONED = "abandoned"


class QuestDifficulty(enum.StrEnum):
    """How hard a user quest is."""

    STARTER = "starter"
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class UserQuestStatus(enum.StrEnum):
    """The lifecycle of a user's own quest."""

    AVAILABLE = "available"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"


class RepeatFrequency(enum.StrEnum):
    """How often a repeatable user quest comes back."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class UniversalQuest(Base):
    """A quest offered to every user (spec/003 section 7, ``universal_quests``)."""

    __tablename__ = "universal_quests"

    id: Mapped[UUIDPK]
    title: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    type: Mapped[QuestType] = mapped_column(server_default=QuestType.DAILY.value)
    xp_reward: Mapped[int] = mapped_column(server_default="10")
    coin_reward: Mapped[int] = mapped_column(server_default="5")
    target: Mapped[int] = mapped_column(server_default="1")
    target_type: Mapped[QuestTargetType] = mapped_column(
        server_default=QuestTargetType.MANUAL.value
    )
    target_config: Mapped[JSON] = mapped_column(server_default="{}")
    skill_key: Mapped[str | None] = fk("skill_definitions.key", nullable=True, ondelete="SET NULL")
    is_active: Mapped[bool] = mapped_column(server_default="true")
    created_by: Mapped[uuid.UUID | None] = fk(
        "users.id",
        nullable=True,
        ondelete="SET NULL",
        rel="creator",
        reverse="createdUniversalQuests",
    )
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("xp_reward", "coin_reward"),
        CheckConstraint("target > 0", name="target_positive"),
    )


class UserQuestProgress(Base):
    __tablename__ = "user_quest_progress"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    quest_id: Mapped[uuid.UUID] = fk("universal_quests.id")
    status: Mapped[QuestProgressStatus] = mapped_column(
        server_default=QuestProgressStatus.ACCEPTED.value
    )
    progress: Mapped[int] = mapped_column(server_default="0")
    accepted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    completed_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    last_reset_at: Mapped[datetime | None]
    times_completed: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "quest_id"),
        *non_negative("progress", "times_completed"),
        CheckConstraint(
            "status NOT IN ('completed', 'claimed') OR completed_at IS NOT NULL",
            name="completed_has_timestamp",
        ),
        CheckConstraint(
            "status <> 'claimed' OR claimed_at IS NOT NULL", name="claimed_has_timestamp"
        ),
    )


class UserQuest(Base):
    """A user's own quest, possibly copied from a universal one (spec/003 section 7, ``quests``)."""

    __tablename__ = "user_quests"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str]
    difficulty: Mapped[QuestDifficulty] = mapped_column(
        server_default=QuestDifficulty.STARTER.value
    )
    xp_reward: Mapped[int] = mapped_column(server_default="10")
    coin_reward: Mapped[int] = mapped_column(server_default="5")
    status: Mapped[UserQuestStatus] = mapped_column(server_default=UserQuestStatus.AVAILABLE.value)
    is_active: Mapped[bool] = mapped_column(server_default="true")
    is_universal: Mapped[bool] = mapped_column(server_default="false")
    source_quest_id: Mapped[uuid.UUID | None] = fk(
        "universal_quests.id",
        nullable=True,
        ondelete="SET NULL",
        rel="sourceQuest",
        reverse="userQuests",
    )
    accepted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    is_repeatable: Mapped[bool] = mapped_column(server_default="false")
    repeat_frequency: Mapped[RepeatFrequency | None]
    last_completed_date: Mapped[date | None]
    streak_count: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("xp_reward", "coin_reward", "streak_count"),
        CheckConstraint(
            "NOT is_repeatable OR repeat_frequency IS NOT NULL",
            name="repeatable_has_frequency",
        ),
        CheckConstraint(
            "status <> 'completed' OR completed_at IS NOT NULL", name="completed_has_timestamp"
        ),
    )
