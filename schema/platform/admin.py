"""Staff mutations of the platform (docs/admin.md): its content catalogs (``catalog:manage``:
built-in infobase entries, onboarding flows and steps, :mod:`db.platform.catalog`; "Content
catalogs"), feature flags (``feature_flags:manage``) and feedback triage
(``feedback:moderate``; the writes and their audit rows in :mod:`db.platform.admin`). These
declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.errors import NotFound
from db.platform import admin, catalog
from db.platform.models import Feedback
from db.platform.rules import FEEDBACK_TRIAGE_FIELDS, FLAG_NAME
from schema.core.catalog import catalog_mutations
from schema.core.mutations import Ids, Tx, given_fields, id_arg, mutation
from schema.core.rule_inputs import rules_input

INFOBASE_MUTATIONS = catalog_mutations(
    catalog.INFOBASE,
    what="a built-in infobase entry (no owner, public)",
    name="BuiltinInfobaseEntry",
)
ONBOARDING_FLOWS_MUTATIONS = catalog_mutations(
    catalog.ONBOARDING_FLOWS,
    what="an onboarding flow (activating one deactivates the others)",
)
ONBOARDING_STEPS_MUTATIONS = catalog_mutations(
    catalog.ONBOARDING_STEPS,
    what="a step of an onboarding flow (its options checked as answers read them)",
)

#: Switches feature flags (``setFeatureFlag``). Seeded by ``seeds.auth``.
FEATURE_FLAGS_MANAGE = "feature_flags:manage"
#: Triages feedback (``updateFeedback``). Seeded by ``seeds.auth``.
FEEDBACK_MODERATE = "feedback:moderate"

_TRIAGE = "Triage of one user's feedback: the fields to change (a field left out keeps its value)."

_TriageFields: Any = rules_input("UpdateFeedbackInput", _TRIAGE, Feedback, FEEDBACK_TRIAGE_FIELDS)


@strawberry.input(description=_TRIAGE)
class UpdateFeedbackInput(_TriageFields):  # type: ignore[misc]  # built by rules_input
    id: strawberry.ID = strawberry.field(description="The feedback (`Feedback.id`).")


@mutation(
    description="For staff (entitlement `feature_flags:manage`): switch a feature flag on or "
    "off for everyone, creating it when no flag has this name; audited.",
    returns={"flag": "feature_flags"},
    entitlement=FEATURE_FLAGS_MANAGE,
    args={"name": "The flag's name (`FeatureFlag.flagName`).", "enabled": "The new state."},
)
async def set_feature_flag(tx: Tx, name: Annotated[str, FLAG_NAME], enabled: bool) -> Ids:
    return {"flag": await admin.set_feature_flag(tx.conn, tx.actor, name, enabled)}


@mutation(
    description="For staff (entitlement `feedback:moderate`): triage a user's feedback: its "
    "status, priority and the team's answer. `resolvedAt` is set when the feedback becomes "
    "`RESOLVED` and cleared when it leaves that status. Audited.",
    returns={"feedback": "feedback?"},
    errors=(NotFound,),
    entitlement=FEEDBACK_MODERATE,
    fields={
        "feedback": "The feedback as it is now; null when the viewer may not read other "
        "users' feedback (`feedback:read`)."
    },
)
async def update_feedback(tx: Tx, input: UpdateFeedbackInput) -> Ids:
    changes = given_fields(input)
    feedback_id = id_arg(changes.pop("id"), "input.id")
    return {"feedback": await admin.update_feedback(tx.conn, tx.actor, feedback_id, changes)}
