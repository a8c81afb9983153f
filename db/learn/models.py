"""Learn: the topic / lesson / ear-training drill catalog, and each user's lesson progress
(status, quiz score) and drill statistics (attempts, scores, streaks, spaced repetition).

Columns: spec/004 migration 0013; types, defaults, value sets and meanings: spec/003 section 9.
``user_drill_stats.next_due_at`` (the spaced-repetition due date) is added for DESIGN.md
section 3. Catalog rows are upserted by their ``key`` (seeds).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, fk, non_negative, user_fk


class LearnDifficulty(enum.StrEnum):
    """The level of a lesson or drill."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class DrillType(enum.StrEnum):
    """What an ear-training drill asks to recognise; ``config_json`` holds its parameters."""

    INTERVAL = "interval"
    CHORD = "chord"
    RHYTHM = "rhythm"
    SCALE = "scale"


class LessonProgressStatus(enum.StrEnum):
    """A user's progress through one lesson."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class LearnTopic(Base):
    __tablename__ = "learn_topics"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str]
    icon: Mapped[str | None]
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]


class LearnLesson(Base):
    __tablename__ = "learn_lessons"

    id: Mapped[UUIDPK]
    topic_id: Mapped[uuid.UUID] = fk("learn_topics.id")
    key: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str]
    description: Mapped[str | None]
    content_markdown: Mapped[str | None]
    duration_minutes: Mapped[int] = mapped_column(server_default="5")
    difficulty: Mapped[LearnDifficulty] = mapped_column(server_default="beginner")
    quiz_json: Mapped[JSON | None]
    xp_reward: Mapped[int] = mapped_column(server_default="20")
    coin_reward: Mapped[int] = mapped_column(server_default="10")
    skill_key: Mapped[str | None] = fk("skill_definitions.key", ondelete=None, nullable=True)
    skill_star_reward: Mapped[int] = mapped_column(server_default="1")
    audio_r2_key: Mapped[str | None]
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        *non_negative("duration_minutes", "xp_reward", "coin_reward", "skill_star_reward"),
    )


class LearnDrill(Base):
    __tablename__ = "learn_drills"

    id: Mapped[UUIDPK]
    topic_id: Mapped[uuid.UUID] = fk("learn_topics.id")
    key: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str]
    description: Mapped[str | None]
    drill_type: Mapped[DrillType]
    config_json: Mapped[JSON] = mapped_column(server_default="{}")
    difficulty: Mapped[LearnDifficulty] = mapped_column(server_default="beginner")
    duration_seconds: Mapped[int] = mapped_column(server_default="120")
    xp_reward: Mapped[int] = mapped_column(server_default="5")
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]

    __table_args__ = (*non_negative("duration_seconds", "xp_reward"),)


class UserLessonProgress(Base):
    __tablename__ = "user_lesson_progress"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    lesson_id: Mapped[uuid.UUID] = fk("learn_lessons.id")
    status: Mapped[LessonProgressStatus] = mapped_column(server_default="not_started")
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    quiz_score: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        CheckConstraint("quiz_score BETWEEN 0 AND 100", name="quiz_score_percentage"),
        *non_negative("attempts"),
    )


class UserDrillStats(Base):
    """A user's running statistics on one drill, with the spaced-repetition due date
    (spec/003 "Learn Drill Flow", DESIGN.md section 3); scores are percentages."""

    __tablename__ = "user_drill_stats"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    drill_id: Mapped[uuid.UUID] = fk("learn_drills.id")
    total_attempts: Mapped[int] = mapped_column(server_default="0")
    correct_answers: Mapped[int] = mapped_column(server_default="0")
    best_score: Mapped[int | None]
    average_score: Mapped[float | None]
    current_streak: Mapped[int] = mapped_column(server_default="0")
    best_streak: Mapped[int] = mapped_column(server_default="0")
    last_attempt_at: Mapped[datetime | None]
    total_time_seconds: Mapped[int] = mapped_column(server_default="0")
    next_due_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("user_id", "drill_id"),
        *non_negative("total_attempts", "correct_answers"),
        CheckConstraint("best_score BETWEEN 0 AND 100", name="best_score_percentage"),
        CheckConstraint("average_score BETWEEN 0 AND 100", name="average_score_percentage"),
        *non_negative("current_streak"),
        CheckConstraint("best_streak >= current_streak", name="best_at_least_current"),
        *non_negative("total_time_seconds"),
    )
