"""Platform mutations: the viewer's ideas, inbox items and reference-library entries, and
feedback. The rules live in :mod:`db.platform.rules` and :mod:`db.platform.transitions`; these
declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from db.errors import NotFound
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
from schema.core.mutations import Ids, Tx, given_fields, id_arg, mutation
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


async def _create(tx: Tx, kind: Kind, input: Any) -> Any:
    return await transitions.create_row(tx.conn, kind, tx.viewer.user_id, given_fields(input))


async def _update(tx: Tx, kind: Kind, row_id: Any, input: Any) -> Any:
    return await transitions.update_row(
        tx.conn, kind, tx.viewer.user_id, id_arg(row_id, "id"), given_fields(input)
    )


async def _delete(tx: Tx, kind: Kind, row_id: Any) -> Any:
    return await transitions.delete_row(tx.conn, kind, tx.viewer.user_id, id_arg(row_id, "id"))


@mutation(description="Capture an idea.", returns={"idea": "ideas"})
async def create_idea(tx: Tx, input: CreateIdeaInput) -> Ids:
    return {"idea": await _create(tx, IDEA, input)}


@mutation(
    description="Change some fields of one of the viewer's ideas (`isPinned` pins it).",
    returns={"idea": "ideas"},
    errors=(NotFound,),
)
async def update_idea(tx: Tx, id: IdeaId, input: UpdateIdeaInput) -> Ids:
    return {"idea": await _update(tx, IDEA, id, input)}


@mutation(
    description="Delete one of the viewer's ideas.",
    returns={"deleted_idea_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_idea_id": "The id the deleted idea had (`Idea.id`)."},
)
async def delete_idea(tx: Tx, id: IdeaId) -> Ids:
    return {"deleted_idea_id": await _delete(tx, IDEA, id)}


@mutation(description="Capture something to sort out later.", returns={"item": "inbox_items"})
async def create_inbox_item(tx: Tx, input: CreateInboxItemInput) -> Ids:
    return {"item": await _create(tx, INBOX_ITEM, input)}


@mutation(
    description="Change some fields of one of the viewer's inbox items.",
    returns={"item": "inbox_items"},
    errors=(NotFound,),
)
async def update_inbox_item(tx: Tx, id: InboxItemId, input: UpdateInboxItemInput) -> Ids:
    return {"item": await _update(tx, INBOX_ITEM, id, input)}


@mutation(
    description="Delete one of the viewer's inbox items (sorted out, or dropped).",
    returns={"deleted_item_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_item_id": "The id the deleted item had (`InboxItem.id`)."},
)
async def delete_inbox_item(tx: Tx, id: InboxItemId) -> Ids:
    return {"deleted_item_id": await _delete(tx, INBOX_ITEM, id)}


@mutation(
    description="Add an entry (a link or a note) to the viewer's reference library.",
    returns={"reference": "user_references"},
)
async def create_user_reference(tx: Tx, input: CreateUserReferenceInput) -> Ids:
    return {"reference": await _create(tx, USER_REFERENCE, input)}


@mutation(
    description="Change some fields of one of the viewer's reference-library entries "
    "(`isPinned` pins it, `isArchived` archives it).",
    returns={"reference": "user_references"},
    errors=(NotFound,),
)
async def update_user_reference(
    tx: Tx, id: UserReferenceId, input: UpdateUserReferenceInput
) -> Ids:
    return {"reference": await _update(tx, USER_REFERENCE, id, input)}


@mutation(
    description="Delete one of the viewer's reference-library entries.",
    returns={"deleted_reference_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_reference_id": "The id the deleted entry had (`UserReference.id`)."},
)
async def delete_user_reference(tx: Tx, id: UserReferenceId) -> Ids:
    return {"deleted_reference_id": await _delete(tx, USER_REFERENCE, id)}


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
