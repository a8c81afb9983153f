"""Staff edits of the platform's content catalogs: built-in infobase entries, onboarding flows
and their steps, declared as :class:`~db.auth.staff.CatalogTable`s (docs/admin.md, "Content
catalogs").

- Infobase entries: the rows without an owner (public to everybody); a title is unique among
  them. No active column: an entry is deleted (nothing refers to infobase entries).
- Onboarding flows: new users get the active flow, one at a time
  (``onboarding_flows.is_active``): activating a flow deactivates the others (audited), and
  no write may leave no flow active (``InvalidState`` ``last_active_flow``): a new user would
  have none.
- Onboarding steps: ``options``, ``allows_multiple``, ``required`` and ``action_config`` are
  checked as the onboarding rules read them (:func:`db.platform.onboarding.check_response`):
  :func:`check_step`. Steps have no active column: a step is deleted only while no user's
  answer or onboarding state refers to it. A flow's ``total_steps`` follows its steps.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import Actor
from db.auth.staff import DESCRIPTION, JSON_OBJECT, NAME, CatalogTable, update_row
from db.errors import InvalidInput, InvalidState
from db.fields import Choice, Flag, Number, Ref, Shaped, Tags, Text
from db.platform.models import OnboardingStepType

_flows = metadata.tables["onboarding_flows"]
_steps = metadata.tables["onboarding_steps"]

#: An infobase entry's Markdown body, in characters.
CONTENT = Text(50_000, 1, nullable=False)
CATEGORY = Text(100, line=True)
#: The most options of one onboarding step, and the length of an option's value and label.
MAX_OPTIONS = 50
MAX_OPTION_VALUE = 100
MAX_OPTION_LABEL = 200
MAX_OPTION_EXTRAS = 5
#: A step's position in its flow.
STEP_ORDER = Number(1, 1000)
#: The step types whose answer is one of the step's options (the others take none).
OPTION_STEPS = frozenset({OnboardingStepType.CHOICE.value, OnboardingStepType.PREFERENCE.value})


def _text(value: Any, field: str, maximum: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= maximum:
        raise InvalidInput(f"Give a text of 1 to {maximum} characters.", field=field)
    return value.strip()


def shape_options(value: Any, field: str) -> list[dict[str, Any]]:
    """A step's ``options``: a list of at most :data:`MAX_OPTIONS` objects with a ``value`` (a
    text, or a whole number: an answer names an option by it, so no value twice) and a
    ``label`` (a text), plus at most :data:`MAX_OPTION_EXTRAS` settings of the option's own
    (scalars: the focus-length step's ``break_minutes``).

    Raises:
        InvalidInput: naming the option at fault (``input.options[2].value``).
    """
    if not isinstance(value, list) or len(value) > MAX_OPTIONS:
        raise InvalidInput(f"Give a list of at most {MAX_OPTIONS} options.", field=field)
    options: list[dict[str, Any]] = []
    for i, option in enumerate(value):
        at = f"{field}[{i}]"
        if not isinstance(option, dict) or not {"value", "label"} <= set(option):
            raise InvalidInput("An option is an object with `value` and `label`.", field=at)
        extras = {k: v for k, v in option.items() if k not in ("value", "label")}
        if len(extras) > MAX_OPTION_EXTRAS or any(
            isinstance(v, dict | list) for v in extras.values()
        ):
            raise InvalidInput(
                f"An option has at most {MAX_OPTION_EXTRAS} settings besides `value` and "
                "`label`, each a text, a number or a boolean.",
                field=at,
            )
        key = option["value"]
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise InvalidInput("Give a text or a whole number.", field=f"{at}.value")
        if isinstance(key, str):
            key = _text(key, f"{at}.value", MAX_OPTION_VALUE)
        if any(o["value"] == key for o in options):
            raise InvalidInput("Two options have this value.", field=f"{at}.value")
        label = _text(option["label"], f"{at}.label", MAX_OPTION_LABEL)
        options.append({"value": key, "label": label, **extras})
    return options


def check_step(
    row: dict[str, Any], changed: dict[str, Any], before: dict[str, Any] | None = None
) -> None:
    """Refuse a step whose answer could not be given or checked (``row`` the step as it will
    be): a choice or preference step needs options, other steps take none;
    ``allows_multiple`` needs options; ``action_config.max_choices``, when set, is a whole
    number from 1 to the number of options, on a step that allows several.

    Raises:
        InvalidInput: naming ``input.options``, ``input.allowsMultiple`` or
            ``input.actionConfig.maxChoices``.
    """
    options = row.get("options") or []
    if str(row["step_type"]) in OPTION_STEPS and not options:
        raise InvalidInput("A choice or preference step needs options.", field="input.options")
    if str(row["step_type"]) not in OPTION_STEPS and options:
        raise InvalidInput("Only choice and preference steps have options.", field="input.options")
    if row.get("allows_multiple") and not options:
        raise InvalidInput("Several answers need options.", field="input.allowsMultiple")
    most = (row.get("action_config") or {}).get("max_choices")
    if most is not None and (
        isinstance(most, bool)
        or not isinstance(most, int)
        or not 1 <= most <= len(options)
        or not row.get("allows_multiple")
    ):
        raise InvalidInput(
            "`max_choices` is from 1 to the number of options, on a step that allows several.",
            field="input.actionConfig.maxChoices",
        )


#: The first key of the transaction advisory lock that serialises the staff writes of the
#: onboarding catalog (the second is a hash of ``"onboarding"``).
_ONBOARDING_LOCK = 0x1651_00C0


async def _serialise(conn: AsyncConnection) -> None:
    """Wait for the other staff writes of the onboarding catalog to end (a transaction
    advisory lock, held until the commit): the statements after it see what they committed,
    so two concurrent activations leave one flow active and two concurrent step writes count
    each other's step."""
    await conn.execute(
        sa.select(sa.func.pg_advisory_xact_lock(_ONBOARDING_LOCK, sa.func.hashtext("onboarding")))
    )


async def _one_active_flow(conn: AsyncConnection, actor: Actor, row: dict[str, Any]) -> None:
    """After a flow's write: when it is active, deactivate the other active flows (audited);
    then refuse to leave no flow active.

    Raises:
        InvalidState: no flow is active (``status`` ``last_active_flow``).
    """
    await _serialise(conn)
    if row["is_active"]:
        others = await conn.execute(
            sa.select(_flows.c.id).where(_flows.c.is_active, _flows.c.id != row["id"])
        )
        for (other,) in others.all():
            await update_row(
                conn,
                actor,
                _flows,
                other,
                {"is_active": False},
                action="deactivateOnboardingFlow",
                resource="OnboardingFlow",
                details={"reason": "another flow was activated", "activated": str(row["id"])},
            )
    active = await conn.execute(sa.select(_flows.c.id).where(_flows.c.is_active).limit(1))
    if active.first() is None:
        raise InvalidState(
            "New users need an active onboarding flow: activate another flow first.",
            status="last_active_flow",
        )


async def _count_steps(conn: AsyncConnection, actor: Actor, row: dict[str, Any]) -> None:
    """After a step's write: every flow's ``total_steps`` is its number of steps again (a
    derived column: the step's own audit row records the change)."""
    await _serialise(conn)
    count = sa.select(sa.func.count()).where(_steps.c.flow_id == _flows.c.id).scalar_subquery()
    await conn.execute(
        sa.update(_flows).where(_flows.c.total_steps != count).values(total_steps=count)
    )


INFOBASE = CatalogTable(
    table=metadata.tables["infobase_entries"],
    resource="InfobaseEntry",
    rules={"title": NAME, "content": CONTENT, "category": CATEGORY, "tags": Tags()},
    required=("title", "content"),
    scope={"user_id": None},
    unique=("title",),
    active=None,
)

ONBOARDING_FLOWS = CatalogTable(
    table=_flows,
    resource="OnboardingFlow",
    rules={"name": NAME, "description": DESCRIPTION, "is_active": Flag()},
    required=("name",),
    unique=("name",),
    after=_one_active_flow,
)

ONBOARDING_STEPS = CatalogTable(
    table=_steps,
    resource="OnboardingStep",
    rules={
        "flow_id": Ref(nullable=False),
        "step_order": STEP_ORDER,
        "step_type": Choice(OnboardingStepType),
        "title": NAME,
        "description": DESCRIPTION,
        "target_selector": Text(500, line=True),
        "target_route": Text(500, line=True),
        "fallback_content": DESCRIPTION,
        "options": Shaped(shape_options),
        "allows_multiple": Flag(),
        "required": Flag(),
        "action_type": Text(50, line=True),
        "action_config": JSON_OBJECT,
    },
    required=("flow_id", "step_order", "step_type", "title"),
    unique=(("flow_id", "step_order"),),
    active=None,
    check=check_step,
    after=_count_steps,
)

__all__ = [
    "INFOBASE",
    "MAX_OPTIONS",
    "MAX_OPTION_EXTRAS",
    "ONBOARDING_FLOWS",
    "ONBOARDING_STEPS",
    "OPTION_STEPS",
    "check_step",
    "shape_options",
]
