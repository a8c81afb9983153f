"""Platform: feedback, ideas, the infobase, onboarding (flows, steps, each user's state and
answers), interests, key/value user settings, feature flags, the inbox and the reference
library.

Columns: Ignition specification, "Migration 0014: Platform Substrate" (feedback, ideas, infobase,
onboarding, interests), "Migration 0015: User Settings" (``user_settings``, key/value),
"Migration 0018: Feature Flags" (``feature_flags``), "Migration 0019: User Inbox" (``inbox_items``)
and "Migration 0021: User References Library" (``user_references``); types, defaults, value sets and
meanings: Ignition specification, "Section 2: Personalization Tables",
"Section 3: Onboarding Tables", "Section 13: Ideas & Journal Tables" and
"Section 16: System Tables", then the original PostgreSQL migrations that the Ignition specification
inventories where the Ignition specification is silent. ``feedback_type`` gains ``praise``.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class FeedbackType(enum.StrEnum):
    """What a piece of feedback is.

    - ``bug``: something does not work.
    - ``feature``: a wish for something new.
    - ``praise``: something the user likes.
    - ``other``: anything else.
    """

    BUG = "bug"
    FEATURE = "feature"
    PRAISE = "praise"
    OTHER = "other"


class FeedbackStatus(enum.StrEnum):
    """Triage state of a piece of feedback.

    - ``open``: not looked at yet.
    - ``in_progress``: being worked on.
    - ``resolved``: fixed or answered.
    - ``closed``: closed without change.
    """

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class FeedbackPriority(enum.StrEnum):
    """Triage priority of a piece of feedback.

    - ``low``: when there is time.
    - ``normal``: in the usual order.
    - ``high``: soon.
    - ``critical``: at once.
    """

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class OnboardingStepType(enum.StrEnum):
    """How an onboarding step is presented.

    - ``tour``: points at a part of the app (``target_selector``).
    - ``choice``: a question with options (``options``).
    - ``preference``: a setting to choose (``options``).
    - ``action``: something the app does (``action_type``, ``action_config``).
    - ``explain``: text to read.
    """

    TOUR = "tour"
    CHOICE = "choice"
    PREFERENCE = "preference"
    ACTION = "action"
    EXPLAIN = "explain"


class OnboardingStatus(enum.StrEnum):
    """A user's progress through the onboarding flow.

    - ``not_started``: not begun.
    - ``in_progress``: begun, not finished.
    - ``completed``: every step done.
    - ``skipped``: the user skipped the flow.
    """

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"


class Feedback(Base):
    """A bug report, feature wish or other feedback a user sent, with its triage."""

    __tablename__ = "feedback"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    feedback_type: Mapped[FeedbackType] = mapped_column(doc="What the feedback is.")
    title: Mapped[str] = mapped_column(doc="The feedback's title.")
    description: Mapped[str | None] = mapped_column(doc="The feedback in the user's words.")
    status: Mapped[FeedbackStatus] = mapped_column(
        server_default="open", doc="Where the feedback is in triage."
    )
    priority: Mapped[FeedbackPriority] = mapped_column(
        server_default="normal", doc="How urgent the feedback is."
    )
    admin_response: Mapped[str | None] = mapped_column(doc="The team's answer to the user.")
    resolved_at: Mapped[datetime | None] = mapped_column(
        doc="When the feedback was resolved; null until then."
    )
    # ``metadata`` is reserved on declarative classes: the attribute is ``metadata_``.
    metadata_: Mapped[JSON] = mapped_column(
        "metadata",
        server_default="{}",
        doc="Context sent with the feedback (page, app version, ...), as JSON.",
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Idea(Base):
    """An idea a user captured (a track idea, a technique to try, ...)."""

    __tablename__ = "ideas"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str] = mapped_column(doc="The idea's title.")
    content: Mapped[str | None] = mapped_column(doc="The idea in the user's words.")
    category: Mapped[str | None] = mapped_column(doc="A free category the idea is filed under.")
    tags: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Free tags: a JSON list of strings."
    )
    is_pinned: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the user pinned the idea to the top."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class InfobaseEntry(Base):
    """A knowledge-base article: a user's own, or a built-in public one when it has no owner."""

    __tablename__ = "infobase_entries"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID | None] = user_fk(
        nullable=True, doc="The user who wrote the entry; null for built-in entries."
    )
    title: Mapped[str] = mapped_column(doc="The entry's title.")
    content: Mapped[str] = mapped_column(doc="The entry itself, as Markdown.")
    category: Mapped[str | None] = mapped_column(doc="A free category the entry is filed under.")
    tags: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Free tags: a JSON list of strings."
    )
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
    """A guided onboarding flow: the ordered steps a new user goes through."""

    __tablename__ = "onboarding_flows"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True, doc="The flow's name (unique).")
    description: Mapped[str | None] = mapped_column(doc="What the flow introduces.")
    is_active: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether new users get this flow (one active flow at a time)."
    )
    total_steps: Mapped[int] = mapped_column(
        server_default="0", doc="The number of steps in the flow."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (*non_negative("total_steps"),)


class OnboardingStep(Base):
    """One step of an onboarding flow: a tour stop, a question, an action or an explanation."""

    __tablename__ = "onboarding_steps"

    id: Mapped[UUIDPK]
    flow_id: Mapped[uuid.UUID] = fk(
        "onboarding_flows.id", index=False, doc="The flow the step belongs to."
    )
    step_order: Mapped[int] = mapped_column(doc="Position in the flow (ascending, from 1).")
    step_type: Mapped[OnboardingStepType] = mapped_column(doc="How the step is presented.")
    title: Mapped[str] = mapped_column(doc="The step's title.")
    description: Mapped[str | None] = mapped_column(doc="The step's text.")
    target_selector: Mapped[str | None] = mapped_column(
        doc="For tour steps, the CSS selector of the element to point at."
    )
    target_route: Mapped[str | None] = mapped_column(doc="The app route to open for the step.")
    fallback_content: Mapped[str | None] = mapped_column(
        doc="What to show when `targetSelector` finds nothing."
    )
    options: Mapped[JSON] = mapped_column(
        server_default="[]",
        doc=(
            "For choice and preference steps, the answers offered: a JSON list of "
            "objects (value, label)."
        ),
    )
    allows_multiple: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether several options may be chosen."
    )
    required: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the step must be answered (it cannot be skipped)."
    )
    action_type: Mapped[str | None] = mapped_column(
        doc=(
            "For action steps, what to do (e.g. `save_setting`, `save_interests`, "
            "`create_habit`, `start_focus`)."
        )
    )
    action_config: Mapped[JSON] = mapped_column(
        server_default="{}", doc="The action's parameters, as JSON."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("flow_id", "step_order"),
        *non_negative("step_order"),
    )


class UserOnboardingState(Base):
    """Where a user is in the onboarding flow (one row per user)."""

    __tablename__ = "user_onboarding_state"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(
        unique=True, doc="The user (deleting the user deletes it)."
    )
    flow_id: Mapped[uuid.UUID] = fk(
        "onboarding_flows.id",
        ondelete=None,
        reverse="userStates",
        doc="The flow the user goes through.",
    )
    current_step_id: Mapped[uuid.UUID | None] = fk(
        "onboarding_steps.id",
        ondelete="SET NULL",
        nullable=True,
        rel="currentStep",
        reverse="currentForStates",
        doc="The step the user is on; null before the first and after the last.",
    )
    status: Mapped[OnboardingStatus] = mapped_column(
        server_default="not_started", doc="Where the user is in the flow."
    )
    can_resume: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether the user may pick the flow up again after leaving it."
    )
    started_at: Mapped[datetime | None] = mapped_column(doc="When the user started the flow.")
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the user finished the flow; null until then."
    )
    skipped_at: Mapped[datetime | None] = mapped_column(
        doc="When the user skipped the flow; null unless skipped."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class UserOnboardingResponse(Base):
    """A user's answer to one onboarding step."""

    __tablename__ = "user_onboarding_responses"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    step_id: Mapped[uuid.UUID] = fk("onboarding_steps.id", doc="The step answered.")
    response: Mapped[JSON] = mapped_column(
        doc="The answer, as JSON (the chosen option values, or the value entered)."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("user_id", "step_id"),)


class UserInterest(Base):
    """A topic a user said they are interested in (from onboarding), used to personalise the app."""

    __tablename__ = "user_interests"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    interest_key: Mapped[str] = mapped_column(
        doc="The interest's identifier (e.g. `mixing`, `sound_design`)."
    )
    interest_label: Mapped[str] = mapped_column(doc="The interest's display name.")
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("user_id", "interest_key"),)


class UserSetting(Base):
    """One stored preference of a user, as a key and a JSON value: `nudge_intensity` `"standard"`,
    `default_focus_duration` 300 seconds, `theme` `"system"`."""

    __tablename__ = "user_settings"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    key: Mapped[str] = mapped_column(doc="The setting's name (unique per user).")
    value: Mapped[JSON] = mapped_column(server_default="null", doc="The setting's value, any JSON.")
    updated_at: Mapped[UpdatedAt]
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("user_id", "key"),)


class FeatureFlag(Base):
    """A switch that turns a feature of the app on or off for everyone."""

    __tablename__ = "feature_flags"

    id: Mapped[UUIDPK]
    flag_name: Mapped[str] = mapped_column(unique=True, doc="The flag's name (unique).")
    enabled: Mapped[bool] = mapped_column(server_default="false", doc="Whether the feature is on.")
    description: Mapped[str | None] = mapped_column(doc="What the flag switches.")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class InboxItem(Base):
    """A quick capture to sort out later (a thought, a task, a link)."""

    __tablename__ = "inbox_items"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str] = mapped_column(doc="The capture's title.")
    description: Mapped[str | None] = mapped_column(doc="More text, if any.")
    tags: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Free tags: a JSON list of strings."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class UserReference(Base):
    """An entry of a user's reference library: a link or a note worth keeping."""

    __tablename__ = "user_references"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str] = mapped_column(doc="The entry's title.")
    content: Mapped[str | None] = mapped_column(doc="The note, if any.")
    url: Mapped[str | None] = mapped_column(doc="The link, if any.")
    category: Mapped[str | None] = mapped_column(doc="A free category the entry is filed under.")
    tags: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Free tags: a JSON list of strings."
    )
    is_pinned: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the user pinned the entry to the top."
    )
    is_archived: Mapped[bool] = mapped_column(
        server_default="false",
        doc="Whether the user archived the entry (hidden from the main list).",
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
