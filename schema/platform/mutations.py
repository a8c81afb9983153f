"""Platform mutations: the viewer's ideas, inbox items and reference-library entries, and
feedback. The rules live in :mod:`db.platform.rules` and :mod:`db.platform.transitions`; these
declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from db.platform import transitions
from db.platform.models import Feedback, Idea, InboxItem, UserReference
from db.platform.rules import (
    FEEDBACK_FIELDS,
    FEEDBACK_REQUIRED,
    IDEA_FIELDS,
    INBOX_FIELDS,
    MAX_METADATA_KEYS,
    MAX_METADATA_TEXT,
    REFERENCE_FIELDS,
    TITLE_REQUIRED,
)
from db.platform.transitions import IDEA, INBOX_ITEM, USER_REFERENCE, Kind
from schema.core.crud import of_kind, owned_mutations
from schema.core.mutations import Ids, Tx, given_fields, mutation
from schema.core.rule_inputs import rules_input

_PARTIAL = "The fields to change; a field left out keeps its value, `null` clears an optional one."
_URL = {"url": "An absolute `http` or `https` link."}

CreateIdeaInput: Any = rules_input(
    "CreateIdeaInput", "A new idea.", Idea, IDEA_FIELDS, required=TITLE_REQUIRED
)
UpdateIdeaInput: Any = rules_input("UpdateIdeaInput", _PARTIAL, Idea, IDEA_FIELDS)
CreateInboxItemInput: Any = rules_input(
    "CreateInboxItemInput", "A new capture.", InboxItem, INBOX_FIELDS, required=TITLE_REQUIRED
)
UpdateInboxItemInput: Any = rules_input("UpdateInboxItemInput", _PARTIAL, InboxItem, INBOX_FIELDS)
CreateUserReferenceInput: Any = rules_input(
    "CreateUserReferenceInput",
    "A new entry of the reference library.",
    UserReference,
    REFERENCE_FIELDS,
    required=TITLE_REQUIRED,
    notes=_URL,
)
UpdateUserReferenceInput: Any = rules_input(
    "UpdateUserReferenceInput", _PARTIAL, UserReference, REFERENCE_FIELDS, notes=_URL
)
_SubmitFeedbackFields: Any = rules_input(
    "SubmitFeedbackInput",
    "Feedback for the team: a bug, a wish, praise or anything else.",
    Feedback,
    FEEDBACK_FIELDS,
    required=FEEDBACK_REQUIRED,
)


@strawberry.input(description="Feedback for the team: a bug, a wish, praise or anything else.")
class SubmitFeedbackInput(_SubmitFeedbackFields):  # type: ignore[misc]  # built by rules_input
    metadata: JSON | None = strawberry.field(
        default=None,
        description=f"Context sent with the feedback (page, app version, ...): an object of "
        f"at most {MAX_METADATA_KEYS} keys (each key up to 50 long), whose values are texts "
        f"(up to {MAX_METADATA_TEXT} long), numbers, booleans or null.",
    )


IdeaId = Annotated[strawberry.ID, strawberry.argument(description="One of the viewer's ideas.")]
InboxItemId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's inbox items.")
]
UserReferenceId = Annotated[
    strawberry.ID,
    strawberry.argument(description="One of the viewer's reference-library entries."),
]


def _kind(kind: Kind) -> dict[str, Any]:
    """The arguments of :func:`owned_mutations` that name ``kind`` and its transitions."""
    return {
        "kind": kind.what,
        "table": kind.table.name,
        **of_kind(kind, transitions.create_row, transitions.update_row, transitions.delete_row),
    }


IDEA_MUTATIONS = owned_mutations(
    **_kind(IDEA),
    payload="idea",
    row_id=IdeaId,
    inputs=(CreateIdeaInput, UpdateIdeaInput),
    descriptions=(
        "Capture an idea.",
        "Change some fields of one of the viewer's ideas (`isPinned` pins it).",
        "Delete one of the viewer's ideas.",
    ),
)
INBOX_ITEM_MUTATIONS = owned_mutations(
    **_kind(INBOX_ITEM),
    payload="item",
    row_id=InboxItemId,
    inputs=(CreateInboxItemInput, UpdateInboxItemInput),
    descriptions=(
        "Capture something to sort out later.",
        "Change some fields of one of the viewer's inbox items.",
        "Delete one of the viewer's inbox items (sorted out, or dropped).",
    ),
)
USER_REFERENCE_MUTATIONS = owned_mutations(
    **_kind(USER_REFERENCE),
    payload="reference",
    row_id=UserReferenceId,
    inputs=(CreateUserReferenceInput, UpdateUserReferenceInput),
    noun="entry",
    descriptions=(
        "Add an entry (a link or a note) to the viewer's reference library.",
        "Change some fields of one of the viewer's reference-library entries (`isPinned` pins "
        "it, `isArchived` archives it).",
        "Delete one of the viewer's reference-library entries.",
    ),
)


@mutation(
    description="Send feedback to the team; it starts `OPEN` at `NORMAL` priority (triage is "
    "the moderators').",
    returns={"feedback": "feedback"},
)
async def submit_feedback(tx: Tx, input: SubmitFeedbackInput) -> Ids:
    values = given_fields(input)
    context = values.pop("metadata", None)
    return {
        "feedback": await transitions.submit_feedback(tx.conn, tx.viewer.user_id, values, context)
    }
