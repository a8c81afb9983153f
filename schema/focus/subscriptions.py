"""Focus subscriptions: the viewer's focus sessions as they start, pause, resume and end
(Ignition specification, "Focus Lifecycle"; published by the focus transitions with
``session_id``)."""

from __future__ import annotations

from db.events.outbox import Topic
from schema.core.subscriptions import Row, subscription

FOCUS_SESSION_EVENTS = subscription(
    "focusSessionEvents",
    event="FocusSessionEvent",
    description="A focus session of the viewer changed: started, paused, resumed, completed, "
    "abandoned or expired.",
    topics={
        Topic.FOCUS_SESSION_STARTED: "STARTED",
        Topic.FOCUS_SESSION_PAUSED: "PAUSED",
        Topic.FOCUS_SESSION_RESUMED: "RESUMED",
        Topic.FOCUS_SESSION_COMPLETED: "COMPLETED",
        Topic.FOCUS_SESSION_ABANDONED: "ABANDONED",
        Topic.FOCUS_SESSION_EXPIRED: "EXPIRED",
    },
    fields={
        "session": Row("focus_sessions", "session_id", "The session, as it is now."),
    },
)
