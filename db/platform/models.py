"""Platform: feedback, ideas, the infobase, onboarding (flows, steps, each user's state and
answers), interests, key/value user settings, feature flags, the inbox and the reference
library.

Columns: spec/004 migrations 0014 (feedback, ideas, infobase, onboarding, interests), 0015
(``user_settings``, key/value), 0018 (``feature_flags``), 0019 (``inbox_items``) and 0021
(``user_references``); types, defaults, value sets and meanings: spec/003 sections 2, 3, 13
and 16, then the original PostgreSQL migrations that spec/004 inventories where spec/003 is
silent. ``feedback_type`` gains ``praise``.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class FeedbackType(enum.StrEnum):
    """What a piece of feedback is: a bug report, a feature wish, praise, or anything else."""

    BUG = "bug"
    FEATURE = "feature"
    PRAISE = "praise"
    OTHER = "other"


class FeedbackStatus(enum.StrEnum):
    """Triage state of a piece of feedback."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class FeedbackPriority(enum.StrEnum):
    """Triage priority of a piece of feedback."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class OnboardingStepType(enum.StrEnum):
    """How an onboarding step is presented: a UI tour stop, a choice or preference question
    (``options``), an action to perform (``action_type``/``action_config``), or an explanation."""

    TOUR = "tour"
    CHOICE = "choice"
    PREFERENCE = "preference"
    ACTION = "action"
    EXPLAIN = "explain"


class OnboardingStatus(enum.StrEnum):
    """A user's progress through the onboarding flow."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    feedback_type: Mapped[FeedbackType]
    title: Mapped[str]
    description: Mapped[str | None]
    status: Mapped[FeedbackStatus] = mapped_column(server_default="open")
    priority: Mapped[FeedbackPriority] = mapped_column(server_default="normal")
    admin_response: Mapped[str | None]
    resolved_at: Mapped[datetime | None]
    # ``metadata`` is reserved on declarative classes: the attribute is ``metadata_``.
    metadata_: Mapped[JSON] = mapped_column("metadata", server_default="{}")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Idea(Base):
    __tablename__ = "ideas"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str]
    content: Mapped[str | None]
    category: Mapped[str | None]
    tags: Mapped[JSON] = mapped_column(server_default="[]")
    is_pinned: Mapped[bool] = mapped_column(server_default="false")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class InfobaseEntry(Base):
    """A knowledge-base entry: a user's own, or public and seeded when ``user_id`` is NULL
    (spec/003 section 13)."""

    __tablename__ = "infobase_entries"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID | None] = user_fk(nullable=True)
    title: Mapped[str]
    content: Mapped[str]
    category: Mapped[str | None]
    tags: Mapped[JSON] = mapped_column(server_default="[]")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        Index(
            "uq_infobase_entries_public_title",
            "title",
            unique=True,
            postgresql_where=text("user_id IS NULL"),
        ),
    )


class OnboardingFlow(Base):
    __tablename__ = "onboarding_flows"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    is_active: Mapped[bool] = mapped_column(server_default="false")
    total_steps: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (*non_negative("total_steps"),)


class OnboardingStep(Base):
    __tablename__ = "onboarding_steps"

    id: Mapped[UUIDPK]
    flow_id: Mapped[uuid.UUID] = fk("onboarding_flows.id", index=False)
    step_order: Mapped[int]
    step_type: Mapped[OnboardingStepType]
    title: Mapped[str]
    description: Mapped[str | None]
    target_selector: Mapped[str | None]
    target_route: Mapped[str | None]
    fallback_content: Mapped[str | None]
    options: Mapped[JSON] = mapped_column(server_default="[]")
    allows_multiple: Mapped[bool] = mapped_column(server_default="false")
    required: Mapped[bool] = mapped_column(server_default="false")
    action_type: Mapped[str | None]
    action_config: Mapped[JSON] = mapped_column(server_default="{}")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("flow_id", "step_order"),
        *non_negative("step_order"),
    )


class UserOnboardingState(Base):
    __tablename__ = "user_onboarding_state"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(unique=True)
    flow_id: Mapped[uuid.UUID] = fk("onboarding_flows.id", ondelete=None, reverse="userStates")
    current_step_id: Mapped[uuid.UUID | None] = fk(
        "onboarding_steps.id",
        ondelete="SET NULL",
        nullable=True,
        rel="currentStep",
        reverse="currentForStates",
    )
    status: Mapped[OnboardingStatus] = mapped_column(server_default="not_started")
    can_resume: Mapped[bool] = mapped_column(server_default="true")
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    skipped_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class UserOnboardingResponse(Base):
    """A user's answer to one onboarding step, any JSON (spec/004 migration 0014)."""

    __tablename__ = "user_onboarding_responses"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    step_id: Mapped[uuid.UUID] = fk("onboarding_steps.id")
    response: Mapped[JSON]
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("user_id", "step_id"),)


class UserInterest(Base):
    __tablename__ = "user_interests"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    interest_key: Mapped[str]
    interest_label: Mapped[str]
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("user_id", "interest_key"),)


class UserSetting(Base):
    """One user preference as a key/value pair, the value any JSON (spec/004 migration 0015)."""

    __tablename__ = "user_settings"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    key: Mapped[str]
    value: Mapped[JSON] = mapped_column(server_default="null")
    updated_at: Mapped[UpdatedAt]
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("user_id", "key"),)


class FeatureFlag(Base):
    __tablename__ = "feature_flags"

    id: Mapped[UUIDPK]
    flag_name: Mapped[str] = mapped_column(unique=True)
    enabled: Mapped[bool] = mapped_column(server_default="false")
    description: Mapped[str | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class InboxItem(Base):
    """A quick capture to be processed later (spec/004 migration 0019)."""

    __tablename__ = "inbox_items"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str]
    description: Mapped[str | None]
    tags: Mapped[JSON] = mapped_column(server_default="[]")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class UserReference(Base):
    """An entry of the user's reference library: a link or note (spec/004 migration 0021)."""

    __tablename__ = "user_references"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str]
    content: Mapped[str | None]
    url: Mapped[str | None]
    category: Mapped[str | None]
    tags: Mapped[JSON] = mapped_column(server_default="[]")
    is_pinned: Mapped[bool] = mapped_column(server_default="false")
    is_archived: Mapped[bool] = mapped_column(server_default="false")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
