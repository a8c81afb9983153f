"""Platform catalog: the main onboarding flow and its steps, public infobase entries and
feature flags.

Sources: Ignition specification, "Part 7: Seed Data Requirements"
("onboarding_flows: main onboarding flow"; "onboarding_steps: steps for main flow");
Ignition specification, "Seed Data Summary" (1 flow, 10 steps, 5 infobase entries) and
"Section 3: Onboarding Tables" (step_type tour/choice/preference/action/explain, "Onboarding Flow");
columns: Ignition specification, "Migration 0014: Platform Substrate" and
"Migration 0018: Feature Flags".

Data: ``seeds/data/platform/onboarding_flow.json`` (the flow with its steps), ``infobase.json``
(each entry's body in ``infobase/<name>.md``) and ``feature_flags.json``, validated on import
(:mod:`seeds.load`). Shapes:

- ``FLOW``: ``{name, description}``; the flow is active and ``total_steps`` = ``len(STEPS)``.
- ``STEPS`` (natural key ``(flow_id, step_order)``, ``step_order`` = position 1..10):
  ``{step_type, title, description}`` plus, by type,

  - ``tour``: ``target_route``, ``target_selector`` (a ``data-tour`` CSS selector) and
    ``fallback_content`` (shown when the selector is not on the page);
  - ``choice`` / ``preference``: ``options`` = a list of ``{value, label, ...}`` choices,
    ``allows_multiple``, and what to do with the answer (stored first in
    ``user_onboarding_responses``): ``action_type`` ``save_setting`` with ``action_config``
    ``{key}`` writes ``user_settings (key, value)``; ``save_interests`` with ``{group,
    max_choices?}`` inserts one ``user_interests`` row per chosen option (``interest_key`` =
    value, ``interest_label`` = label);
  - ``action``: ``action_type`` (``create_habit``, ``start_focus``) and ``action_config``.

  Unused ``options`` are ``[]`` and unused ``action_config`` ``{}`` (the columns' defaults);
  ``step_type`` is an ``OnboardingStepType`` value (``db/platform/models.py``).
  ``required`` marks steps that cannot be skipped individually (the flow as a whole can be).
- ``INFOBASE`` (natural key ``title`` among rows with ``user_id IS NULL``): ``{title,
  category, tags, content}`` (markdown).
- ``FEATURE_FLAGS`` (natural key ``flag_name``): ``{flag_name, enabled, description}``.
  ``enabled`` is only the initial value: it is written when the flag is created and never
  reset by a later seed run, so a switch made by an admin survives restarts.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from db.platform.models import OnboardingStepType
from seeds.load import Entry, as_dicts, load_entries, load_object, with_markdown
from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/platform/
# --------------------------------------------------------------------------------------------


class Step(Entry):
    """One onboarding step; the fields a step type does not use are left out (their
    defaults are the columns' own, :data:`_STEP_COLUMNS`)."""

    step_type: OnboardingStepType = Field(strict=False)
    title: str
    description: str | None = None
    target_selector: str | None = None
    target_route: str | None = None
    fallback_content: str | None = None
    options: list[dict[str, Any]] = []
    allows_multiple: bool = False
    required: bool = False
    action_type: str | None = None
    action_config: dict[str, Any] = {}


class Flow(Entry):
    """The onboarding flow (natural key ``name``) and its steps, in order."""

    name: str
    description: str
    steps: list[Step] = Field(min_length=1)


class InfobaseEntry(Entry):
    """One public infobase entry (natural key ``title``); its Markdown body is the file
    ``content_file`` (relative to ``seeds/data/platform/``)."""

    title: str
    category: str
    tags: list[str]
    content_file: str


class FeatureFlag(Entry):
    """One feature flag (natural key ``flag_name``); ``enabled`` is the initial value only."""

    flag_name: str
    enabled: bool
    description: str


_FLOW = load_object("platform/onboarding_flow.json", Flow)
FLOW: dict[str, Any] = {"name": _FLOW.name, "description": _FLOW.description}
STEPS: tuple[dict[str, Any], ...] = as_dicts(_FLOW.steps)
#: The infobase entries, ``content`` holding the text of each one's Markdown file.
INFOBASE: tuple[dict[str, Any], ...] = with_markdown(
    "platform/infobase.json",
    as_dicts(load_entries("platform/infobase.json", InfobaseEntry, key="title")),
    key="title",
    into="content",
)
FEATURE_FLAGS: tuple[dict[str, Any], ...] = as_dicts(
    load_entries("platform/feature_flags.json", FeatureFlag, key="flag_name")
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------

#: Built-in rows: the predicate of the partial unique index on ``infobase_entries (title)``.
BUILT_IN: sa.ColumnElement[bool] = sa.column("user_id").is_(None)

#: The columns of a step that a step type may leave out, with their defaults (the model's).
_STEP_COLUMNS: dict[str, Any] = {
    name: field.get_default(call_default_factory=True)
    for name, field in Step.model_fields.items()
    if not field.is_required()
}


def flow_row() -> dict[str, Any]:
    """The ``onboarding_flows`` row of the main flow."""
    return {**FLOW, "is_active": True, "total_steps": len(STEPS)}


def step_rows(flow_id: Any) -> list[dict[str, Any]]:
    """The ``onboarding_steps`` rows of ``flow_id``, every row with the same columns."""
    rows = []
    for order, step in enumerate(STEPS, start=1):
        row = {**_STEP_COLUMNS, **step, "flow_id": flow_id, "step_order": order}
        row["step_type"] = OnboardingStepType(row["step_type"]).value
        rows.append(row)
    return rows


def infobase_rows() -> list[dict[str, Any]]:
    """The public ``infobase_entries`` rows (``user_id`` NULL)."""
    return [{**e, "user_id": None} for e in INFOBASE]


async def seed(conn: AsyncConnection) -> int:
    """Insert the missing onboarding flow and steps, infobase entries and feature flags."""
    changed = await upsert(conn, "onboarding_flows", [flow_row()], key=["name"])
    flow_id = (await ids_by(conn, "onboarding_flows", "name"))[FLOW["name"]]
    changed += await upsert(
        conn, "onboarding_steps", step_rows(flow_id), key=["flow_id", "step_order"]
    )
    changed += await upsert(
        conn, "infobase_entries", infobase_rows(), key=["title"], where=BUILT_IN
    )
    changed += await upsert(conn, "feature_flags", FEATURE_FLAGS, key=["flag_name"])
    return changed


COUNTS: dict[str, int] = {
    "onboarding_flows": 1,
    "onboarding_steps": len(STEPS),
    "infobase_entries": len(INFOBASE),
    "feature_flags": len(FEATURE_FLAGS),
}
