"""Quest tables: the universal quest catalog, each user's progress on it, and users' own quests.

Columns: Ignition specification, "Migration 0005: Quests Substrate"; types, defaults and status
values: Ignition specification, "Section 7: Quests Tables" (``quests`` there is ``user_quests``
here, docs/design.md#the-schema); the accept / progress / complete / claim flow and the period
resets: docs/design.md#quests. A universal quest's ``title`` is its natural key (the seeds upsert by
it).

Values chosen here (the Ignition specification lists none): ``universal_quests.target_type``, the
activity that advances a quest (``manual``: only an explicit update does).
``user_quest_progress.status`` is the Ignition specification's accepted/completed/abandoned plus
``claimed`` (the one-time reward claim); ``user_quests.status`` adds ``abandoned`` and ``expired``
to the Ignition specification's available/accepted/ completed.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class QuestType(enum.StrEnum):
    """How often a universal quest resets.

    - ``daily``: a new period every day.
    - ``weekly``: a new period every week.
    - ``monthly``: a new period every calendar month.
    - ``special``: never resets (once per user).
    """

    DAILY = "daily"
    WEEKLY = "weekly"
    SPECIAL = "special"
    MONTHLY = "monthly"


class QuestTargetType(enum.StrEnum):
    """The activity counted towards a universal quest's ``target``.

    - ``manual``: only an explicit progress update counts.
    - ``focus_sessions_completed``: focus sessions completed.
    - ``focus_minutes``: minutes of completed focus.
    - ``habit_completions``: habit completions.
    - ``milestones_completed``: goal milestones completed.
    - ``plan_items_completed``: daily plan items done.
    - ``lessons_completed``: lessons completed.
    - ``drill_attempts``: ear-training drill rounds played.
    - ``workouts_completed``: workout sessions completed.
    - ``pages_read``: book pages read.
    """

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
    """A user's state on one universal quest.

    - ``accepted``: taken on, target not reached in this period.
    - ``completed``: target reached; the reward can be claimed.
    - ``claimed``: the reward of this period was paid.
    - ``abandoned``: given up.
    """

    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CLAIMED = "claimed"
    ABANDONED = "abandoned"


class QuestDifficulty(enum.StrEnum):
    """How hard a user quest is.

    - ``starter``: a first step.
    - ``easy``: a little effort.
    - ``medium``: a real effort.
    - ``hard``: a big effort.
    """

    STARTER = "starter"
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class UserQuestStatus(enum.StrEnum):
    """The lifecycle of a user's own quest.

    - ``available``: not taken on yet.
    - ``accepted``: being worked on.
    - ``completed``: done; its reward was paid.
    - ``abandoned``: given up.
    - ``expired``: not completed before ``expires_at``.
    """

    AVAILABLE = "available"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"


class RepeatFrequency(enum.StrEnum):
    """How often a repeatable user quest comes back.

    - ``daily``: every day.
    - ``weekly``: every week.
    - ``monthly``: every month.
    """

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class UniversalQuest(Base):
    """A quest offered to every user: daily, weekly, monthly or special, with a target and a
    reward.

    A user accepts it, advances it by the activity of its `targetType` until `target` is reached,
    then claims the reward once per period."""

    __tablename__ = "universal_quests"

    id: Mapped[UUIDPK]
    title: Mapped[str] = mapped_column(
        unique=True, doc="The quest's title (unique: the seeds' natural key)."
    )
    description: Mapped[str | None] = mapped_column(doc="What to do.")
    type: Mapped[QuestType] = mapped_column(
        server_default=QuestType.DAILY.value,
        doc="How often the quest resets: daily, weekly, monthly, or never (`SPECIAL`).",
    )
    xp_reward: Mapped[int] = mapped_column(
        server_default="10", doc="XP paid when the reward is claimed."
    )
    coin_reward: Mapped[int] = mapped_column(
        server_default="5", doc="Coins paid when the reward is claimed."
    )
    target: Mapped[int] = mapped_column(
        server_default="1",
        doc=(
            "How much of `targetType`'s activity completes the quest (a count, or "
            "minutes for focus time)."
        ),
    )
    target_type: Mapped[QuestTargetType] = mapped_column(
        server_default=QuestTargetType.MANUAL.value,
        doc=(
            "The activity counted towards `target`; `MANUAL` advances only through "
            "an explicit update."
        ),
    )
    target_config: Mapped[JSON] = mapped_column(
        server_default="{}",
        doc=(
            'Conditions on the counted activity, as JSON (e.g. `{"mode": "focus", '
            '"min_minutes": 25}`).'
        ),
    )
    skill_key: Mapped[str | None] = fk(
        "skill_definitions.key",
        nullable=True,
        ondelete="SET NULL",
        doc="The skill the quest trains, if any.",
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether the quest is offered now."
    )
    created_by: Mapped[uuid.UUID | None] = fk(
        "users.id",
        nullable=True,
        ondelete="SET NULL",
        rel="creator",
        reverse="createdUniversalQuests",
        doc="The admin who created the quest; null for seeded quests.",
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the quest list (ascending)."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("xp_reward", "coin_reward"),
        CheckConstraint("target > 0", name="target_positive"),
    )


class UserQuestProgress(Base):
    """A user's progress on one universal quest, from acceptance to the reward claim."""

    __tablename__ = "user_quest_progress"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    quest_id: Mapped[uuid.UUID] = fk("universal_quests.id", doc="The universal quest.")
    status: Mapped[QuestProgressStatus] = mapped_column(
        server_default=QuestProgressStatus.ACCEPTED.value, doc="Where the user is on this quest."
    )
    progress: Mapped[int] = mapped_column(
        server_default="0", doc="How much of the quest's `target` is done in the current period."
    )
    accepted_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the user accepted the quest."
    )
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the target was reached in the current period; null until then."
    )
    claimed_at: Mapped[datetime | None] = mapped_column(
        doc="When the reward of the current period was claimed; null until then."
    )
    last_reset_at: Mapped[datetime | None] = mapped_column(
        doc="When a daily, weekly or monthly quest last started a new period."
    )
    times_completed: Mapped[int] = mapped_column(
        server_default="0", doc="How many periods the user completed this quest in."
    )
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
    """A quest of a user's own, possibly copied from a universal one, with an optional repeat and
    streak."""

    __tablename__ = "user_quests"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str] = mapped_column(doc="The quest's title.")
    description: Mapped[str | None] = mapped_column(doc="What to do.")
    category: Mapped[str] = mapped_column(doc="A free category the quest is filed under.")
    difficulty: Mapped[QuestDifficulty] = mapped_column(
        server_default=QuestDifficulty.STARTER.value, doc="How hard the quest is."
    )
    xp_reward: Mapped[int] = mapped_column(server_default="10", doc="XP paid on completion.")
    coin_reward: Mapped[int] = mapped_column(server_default="5", doc="Coins paid on completion.")
    status: Mapped[UserQuestStatus] = mapped_column(
        server_default=UserQuestStatus.AVAILABLE.value, doc="Where the quest is in its lifecycle."
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="true",
        doc="Whether the quest is shown; inactive quests are kept but hidden.",
    )
    is_universal: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the quest was copied from a universal quest."
    )
    source_quest_id: Mapped[uuid.UUID | None] = fk(
        "universal_quests.id",
        nullable=True,
        ondelete="SET NULL",
        rel="sourceQuest",
        reverse="userQuests",
        doc="The universal quest this one was copied from, if any.",
    )
    accepted_at: Mapped[datetime | None] = mapped_column(doc="When the user accepted the quest.")
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the quest was completed; null until then."
    )
    expires_at: Mapped[datetime | None] = mapped_column(
        doc="When the quest expires if not completed; null for never."
    )
    is_repeatable: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the quest comes back after completion."
    )
    repeat_frequency: Mapped[RepeatFrequency | None] = mapped_column(
        doc="How often a repeatable quest comes back; null for one-off quests."
    )
    last_completed_date: Mapped[date | None] = mapped_column(
        doc="The last day a repeatable quest was completed on."
    )
    streak_count: Mapped[int] = mapped_column(
        server_default="0", doc="Consecutive periods in which a repeatable quest was completed."
    )
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
