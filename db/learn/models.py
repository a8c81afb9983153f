"""Learn: the topic / lesson / ear-training drill catalog, and each user's lesson progress
(status, quiz score) and drill statistics (attempts, scores, streaks, spaced repetition).

Columns: Ignition specification, "Migration 0013: Learn Substrate"; types, defaults, value sets and
meanings: Ignition specification, "Section 9: Learn Tables". ``user_drill_stats.next_due_at`` (the
spaced-repetition due date) is added for docs/design.md#learn-books-and-workouts. Catalog rows
are upserted by their ``key`` (seeds).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, fk, non_negative, user_fk


class LearnDifficulty(enum.StrEnum):
    """The level of a lesson or drill.

    - ``beginner``: no prior knowledge needed.
    - ``intermediate``: builds on the basics.
    - ``advanced``: for experienced producers.
    """

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class DrillType(enum.StrEnum):
    """What an ear-training drill asks to recognise; ``config_json`` holds its parameters.

    - ``interval``: the distance between two notes.
    - ``chord``: a chord's quality (major, minor, ...).
    - ``rhythm``: a rhythmic pattern.
    - ``scale``: a scale or mode.
    """

    INTERVAL = "interval"
    CHORD = "chord"
    RHYTHM = "rhythm"
    SCALE = "scale"


class LessonProgressStatus(enum.StrEnum):
    """A user's progress through one lesson.

    - ``not_started``: not opened yet.
    - ``in_progress``: opened, not completed.
    - ``completed``: completed; its reward was paid.
    """

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class LearnTopic(Base):
    """A topic of the learning catalog that groups lessons and ear-training drills."""

    __tablename__ = "learn_topics"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(
        unique=True, doc="The topic's stable identifier (unique), used by the seeds and links."
    )
    name: Mapped[str] = mapped_column(doc="The topic's display name.")
    description: Mapped[str | None] = mapped_column(doc="What the topic teaches.")
    category: Mapped[str] = mapped_column(doc="A free category the topic is shown under.")
    icon: Mapped[str | None] = mapped_column(doc="Icon identifier shown with the topic.")
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the topic list (ascending)."
    )
    created_at: Mapped[CreatedAt]


class LearnLesson(Base):
    """A lesson of a learning topic: text to read, an optional quiz, and a reward for finishing."""

    __tablename__ = "learn_lessons"

    id: Mapped[UUIDPK]
    topic_id: Mapped[uuid.UUID] = fk("learn_topics.id", doc="The topic the lesson belongs to.")
    key: Mapped[str] = mapped_column(
        unique=True, doc="The lesson's stable identifier (unique), used by the seeds and links."
    )
    title: Mapped[str] = mapped_column(doc="The lesson's title.")
    description: Mapped[str | None] = mapped_column(doc="What the lesson is about, in a sentence.")
    content_markdown: Mapped[str | None] = mapped_column(doc="The lesson itself, as Markdown.")
    duration_minutes: Mapped[int] = mapped_column(
        server_default="5", doc="How long the lesson takes, in minutes (estimate)."
    )
    difficulty: Mapped[LearnDifficulty] = mapped_column(
        server_default="beginner", doc="The level the lesson is aimed at."
    )
    quiz_json: Mapped[JSON | None] = mapped_column(
        doc=(
            "The lesson's quiz, as JSON (questions with options and the correct "
            "answer); null for none."
        )
    )
    xp_reward: Mapped[int] = mapped_column(
        server_default="20", doc="XP paid once when the lesson is completed."
    )
    coin_reward: Mapped[int] = mapped_column(
        server_default="10", doc="Coins paid once when the lesson is completed."
    )
    skill_key: Mapped[str | None] = fk(
        "skill_definitions.key",
        ondelete=None,
        nullable=True,
        doc="The skill the lesson trains, if any.",
    )
    skill_star_reward: Mapped[int] = mapped_column(
        server_default="1", doc="Skill stars of `skillKey` paid once when the lesson is completed."
    )
    audio_r2_key: Mapped[str | None] = mapped_column(
        doc="The object-storage key of the lesson's audio, if it has any."
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position within the topic (ascending)."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        *non_negative("duration_minutes", "xp_reward", "coin_reward", "skill_star_reward"),
    )


class LearnDrill(Base):
    """An ear-training drill of a learning topic: recognise intervals, chords, rhythms or scales."""

    __tablename__ = "learn_drills"

    id: Mapped[UUIDPK]
    topic_id: Mapped[uuid.UUID] = fk("learn_topics.id", doc="The topic the drill belongs to.")
    key: Mapped[str] = mapped_column(
        unique=True, doc="The drill's stable identifier (unique), used by the seeds and links."
    )
    title: Mapped[str] = mapped_column(doc="The drill's title.")
    description: Mapped[str | None] = mapped_column(doc="What the drill trains.")
    drill_type: Mapped[DrillType] = mapped_column(doc="What the drill asks to recognise.")
    config_json: Mapped[JSON] = mapped_column(
        server_default="{}",
        doc=(
            "The drill's parameters, as JSON (e.g. which intervals or chord "
            "qualities, how many questions)."
        ),
    )
    difficulty: Mapped[LearnDifficulty] = mapped_column(
        server_default="beginner", doc="The level the drill is aimed at."
    )
    duration_seconds: Mapped[int] = mapped_column(
        server_default="120", doc="How long one round takes, in seconds (estimate)."
    )
    xp_reward: Mapped[int] = mapped_column(server_default="5", doc="XP paid for a completed round.")
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position within the topic (ascending)."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (*non_negative("duration_seconds", "xp_reward"),)


class UserLessonProgress(Base):
    """A user's progress through one lesson."""

    __tablename__ = "user_lesson_progress"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    lesson_id: Mapped[uuid.UUID] = fk("learn_lessons.id", doc="The lesson.")
    status: Mapped[LessonProgressStatus] = mapped_column(
        server_default="not_started", doc="Where the user is in the lesson."
    )
    started_at: Mapped[datetime | None] = mapped_column(
        doc="When the user opened the lesson first."
    )
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the user completed the lesson; null until then."
    )
    quiz_score: Mapped[int | None] = mapped_column(
        doc="The best quiz score, in percent (0-100); null before a quiz attempt."
    )
    attempts: Mapped[int] = mapped_column(
        server_default="0",
        doc=(
            "How many times the user took the lesson: each opening before its completion, and "
            "each completion no opening counted (a retake after it was completed)."
        ),
    )

    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        CheckConstraint("quiz_score BETWEEN 0 AND 100", name="quiz_score_percentage"),
        *non_negative("attempts"),
    )


class UserDrillStats(Base):
    """A user's running statistics on one drill, with the spaced-repetition due date; scores are
    percentages."""

    __tablename__ = "user_drill_stats"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    drill_id: Mapped[uuid.UUID] = fk("learn_drills.id", doc="The drill.")
    total_attempts: Mapped[int] = mapped_column(
        server_default="0", doc="Questions answered, over all rounds."
    )
    correct_answers: Mapped[int] = mapped_column(
        server_default="0", doc="Questions answered correctly, over all rounds."
    )
    best_score: Mapped[int | None] = mapped_column(
        doc="The best round's score, in percent (0-100); null before the first round."
    )
    average_score: Mapped[float | None] = mapped_column(
        doc=(
            "The accuracy over all rounds (`correctAnswers` / `totalAttempts`), in percent "
            "(0-100, one decimal); null before the first round."
        )
    )
    current_streak: Mapped[int] = mapped_column(
        server_default="0",
        doc="Consecutive perfect rounds (every question right), up to the latest round.",
    )
    best_streak: Mapped[int] = mapped_column(
        server_default="0", doc="The longest run of perfect rounds ever."
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(
        doc="When the user last played the drill."
    )
    total_time_seconds: Mapped[int] = mapped_column(
        server_default="0", doc="Time spent on the drill, in seconds, over all rounds."
    )
    next_due_at: Mapped[datetime | None] = mapped_column(
        doc="When the drill is due again (spaced repetition); null before the first round."
    )

    __table_args__ = (
        UniqueConstraint("user_id", "drill_id"),
        *non_negative("total_attempts", "correct_answers"),
        CheckConstraint("best_score BETWEEN 0 AND 100", name="best_score_percentage"),
        CheckConstraint("average_score BETWEEN 0 AND 100", name="average_score_percentage"),
        *non_negative("current_streak"),
        CheckConstraint("best_streak >= current_streak", name="best_at_least_current"),
        *non_negative("total_time_seconds"),
    )
