"""The platform rules that need no database: what an idea, an inbox item, a reference-library
entry and a piece of feedback may hold.

Declarations and pure functions, called by :mod:`db.platform.transitions` before any SQL, so
that every column's limit is a typed ``InvalidInput`` naming the field. Pinning and archiving
are plain fields of the rows that have them (``ideas.is_pinned``, ``user_references.is_pinned``
and ``is_archived``); tags are lists of at most 20 distinct tags of 1 to 50 characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from db import bounds
from db.errors import InvalidInput
from db.fields import Choice, Flag, Rule, Tags, Text
from db.platform.models import FeedbackPriority, FeedbackStatus, FeedbackType

_TITLE = Text(200, min=1, nullable=False, line=True)
_CATEGORY = Text(100, line=True)

#: ``ideas`` columns a client sets.
IDEA_FIELDS: dict[str, Rule] = {
    "title": _TITLE,
    "content": Text(10_000),
    "category": _CATEGORY,
    "tags": Tags(),
    "is_pinned": Flag(),
}

#: ``inbox_items`` columns a client sets.
INBOX_FIELDS: dict[str, Rule] = {
    "title": _TITLE,
    "description": Text(5_000),
    "tags": Tags(),
}

#: ``user_references`` columns a client sets.
REFERENCE_FIELDS: dict[str, Rule] = {
    "title": _TITLE,
    "content": Text(10_000),
    "url": Text(2_000, line=True),
    "category": _CATEGORY,
    "tags": Tags(),
    "is_pinned": Flag(),
    "is_archived": Flag(),
}

#: ``feedback`` columns a user sets when submitting (triage is the moderators').
FEEDBACK_FIELDS: dict[str, Rule] = {
    "feedback_type": Choice(FeedbackType),
    "title": _TITLE,
    "description": Text(5_000),
}

#: ``feedback`` columns staff set in triage (``updateFeedback``, ``feedback:moderate``).
FEEDBACK_TRIAGE_FIELDS: dict[str, Rule] = {
    "status": Choice(FeedbackStatus),
    "priority": Choice(FeedbackPriority),
    "admin_response": Text(5_000, nullable=True),
}

#: A feature flag's name: lower-case words joined by ``_`` (``market_refunds``).
FLAG_NAME = bounds.Text(
    100,
    1,
    pattern=r"[a-z][a-z0-9_]*",
    format="lower-case letters, digits and `_`, starting with a letter",
)


def resolved_at_change(before: FeedbackStatus | str, after: FeedbackStatus | str) -> str | None:
    """What a status change does to ``feedback.resolved_at``: ``"set"`` when the feedback
    becomes ``resolved`` (from another status), ``"clear"`` when it leaves ``resolved``
    (reopened or closed instead), None otherwise (the time of the first resolution stays
    while it stays resolved)."""
    was, now = FeedbackStatus(before), FeedbackStatus(after)
    if now is FeedbackStatus.RESOLVED and was is not FeedbackStatus.RESOLVED:
        return "set"
    if was is FeedbackStatus.RESOLVED and now is not FeedbackStatus.RESOLVED:
        return "clear"
    return None


#: The columns a create must give (every kind of row above has a title).
TITLE_REQUIRED = ("title",)
#: The ``feedback`` columns a submission must give.
FEEDBACK_REQUIRED = ("feedback_type", "title")

#: The most keys of a feedback's ``metadata`` object, and the longest text value.
MAX_METADATA_KEYS = 20
MAX_METADATA_TEXT = 500


def check_url(url: str | None) -> None:
    """A reference's link is an absolute ``http`` or ``https`` URL (None: no link).

    Raises:
        InvalidInput: ``input.url``.
    """
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("An http(s) link, such as `https://example.com`.", field="input.url")


def check_metadata(metadata: Any) -> dict[str, Any]:
    """The context sent with feedback (page, app version, ...): a JSON object of at most
    :data:`MAX_METADATA_KEYS` keys of 1 to 50 characters, each value a string of at most
    :data:`MAX_METADATA_TEXT` characters, a number, a boolean or null; None is ``{}``.

    Raises:
        InvalidInput: ``input.metadata``.
    """
    if metadata is None:
        return {}
    refusal = InvalidInput(
        f"An object of at most {MAX_METADATA_KEYS} keys (1 to 50 characters) with text of at "
        f"most {MAX_METADATA_TEXT} characters, numbers, booleans or null.",
        field="input.metadata",
    )
    if not isinstance(metadata, Mapping) or len(metadata) > MAX_METADATA_KEYS:
        raise refusal
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 50:
            raise refusal
        if isinstance(value, str) and len(value) > MAX_METADATA_TEXT:
            raise refusal
        if value is not None and not isinstance(value, str | int | float | bool):
            raise refusal
    return dict(metadata)


__all__ = [
    "FEEDBACK_FIELDS",
    "FEEDBACK_REQUIRED",
    "FEEDBACK_TRIAGE_FIELDS",
    "FLAG_NAME",
    "IDEA_FIELDS",
    "INBOX_FIELDS",
    "MAX_METADATA_KEYS",
    "MAX_METADATA_TEXT",
    "REFERENCE_FIELDS",
    "TITLE_REQUIRED",
    "check_metadata",
    "check_url",
    "resolved_at_change",
]
