"""The rules of onboarding (Ignition specification, "Onboarding Flow"): what answer a step
takes, what an answer writes (settings, interests), which step comes next, when the flow may
be completed. Pure functions; the writes are :mod:`db.platform.onboarding_transitions`.

A user's ``user_onboarding_state`` moves ``not_started`` -> ``in_progress`` (start) ->
``completed`` (complete, once every required step is answered); ``skipped`` from either of the
first two (skip), back to ``in_progress`` by resume when ``can_resume``. Answering a step
stores (or replaces) its ``user_onboarding_responses`` row and moves ``current_step_id`` to
the step after it (null after the last).

What a step takes (``response``, any JSON):

- a step with ``options`` (choice, preference): one option ``value``, or, when
  ``allows_multiple``, a list of distinct option values (at most ``action_config.max_choices``
  when set); a required step needs one at least; a step that is not required may be answered
  with null or ``[]`` (passed over);
- any other step (explain, tour, action): any JSON (``true`` to acknowledge it).

What an answer writes, by ``action_type``: ``save_setting`` stores the chosen value under
``action_config.key`` through the settings registry (:data:`SETTING_ALIASES` renames a key the
flow uses in another unit); ``save_interests`` makes the chosen values the user's interests
among this step's options (labels from the options).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from db.bounds import MaxItems, Text
from db.errors import DomainError, InvalidInput

#: A flow's setting key -> (the registry's key, the factor its value is multiplied by): the
#: seeded flow asks for the focus length in minutes, the registry keeps seconds.
SETTING_ALIASES: dict[str, tuple[str, int]] = {
    "focus_duration_minutes": ("default_focus_duration", 60),
}

#: ``setInterests``: an interest key, and how many at once.
INTEREST_KEY = Text(100, 1)
INTEREST_KEYS = MaxItems(50)


class OnboardingIncomplete(DomainError):
    """Onboarding cannot be completed yet: the required step ``step_id`` is not answered."""

    default_message = "A required onboarding step is not answered yet."
    step_id: str
    field_docs = {"step_id": "The first required step not answered (`OnboardingStep.id`)."}


@dataclass(frozen=True)
class Step:
    """One ``onboarding_steps`` row, as the rules need it."""

    id: uuid.UUID
    step_order: int
    step_type: str
    title: str
    options: tuple[Mapping[str, Any], ...] = ()
    allows_multiple: bool = False
    required: bool = False
    action_type: str | None = None
    action_config: Mapping[str, Any] | None = None


def check_response(step: Step, response: Any, field: str = "input.response") -> Any:
    """The answer ``response`` to ``step`` if it fits (module docstring), else a refusal.

    Returns:
        The response as stored (a list for a multiple-choice step).

    Raises:
        InvalidInput: naming ``field``, the message saying what the step takes.
    """
    if not step.options:
        if step.required and response is None:
            raise InvalidInput("This step must be answered (send true).", field=field)
        return response
    values = [o.get("value") for o in step.options]
    chosen = response if isinstance(response, list) else ([] if response is None else [response])
    if isinstance(response, list) and not step.allows_multiple:
        raise InvalidInput("This step takes one option, not a list.", field=field)
    if any(value not in values or isinstance(value, bool) for value in chosen):
        raise InvalidInput(
            "Not an option of this step: choose among " + ", ".join(map(str, values)) + ".",
            field=field,
        )
    if len(set(map(repr, chosen))) != len(chosen):
        raise InvalidInput("An option is chosen twice.", field=field)
    most = (step.action_config or {}).get("max_choices")
    if isinstance(most, int) and len(chosen) > most:
        raise InvalidInput(f"Choose at most {most} options.", field=field)
    if step.required and not chosen:
        raise InvalidInput("This step must be answered.", field=field)
    return chosen if step.allows_multiple else (chosen[0] if chosen else None)


def setting_writes(step: Step, response: Any) -> list[tuple[str, Any]]:
    """The ``(key, value)`` settings an answer to a ``save_setting`` step writes (none for
    other steps, or when passed over), with :data:`SETTING_ALIASES` applied."""
    key = (step.action_config or {}).get("key")
    if step.action_type != "save_setting" or not isinstance(key, str) or response is None:
        return []
    if key in SETTING_ALIASES and isinstance(response, int) and not isinstance(response, bool):
        target, factor = SETTING_ALIASES[key]
        return [(target, response * factor)]
    return [(key, response)]


def interest_choices(step: Step, response: Any) -> list[tuple[str, str]] | None:
    """The ``(key, label)`` interests a ``save_interests`` step's answer makes the user's
    (among this step's options); None for other steps."""
    if step.action_type != "save_interests":
        return None
    chosen = response if isinstance(response, list) else ([] if response is None else [response])
    labels = {o.get("value"): str(o.get("label") or o.get("value")) for o in step.options}
    return [(str(value), labels[value]) for value in chosen]


def next_step(steps: Sequence[Step], answered: uuid.UUID) -> Step | None:
    """The step after ``answered`` in ``step_order`` (None after the last)."""
    ordered = sorted(steps, key=lambda s: s.step_order)
    ids = [s.id for s in ordered]
    index = ids.index(answered)
    return ordered[index + 1] if index + 1 < len(ordered) else None


def first_unanswered(
    steps: Sequence[Step], answered: set[uuid.UUID], *, required_only: bool
) -> Step | None:
    """The first step in order without an answer (only the required ones when asked)."""
    for step in sorted(steps, key=lambda s: s.step_order):
        if step.id not in answered and (step.required or not required_only):
            return step
    return None


__all__ = [
    "INTEREST_KEY",
    "INTEREST_KEYS",
    "SETTING_ALIASES",
    "OnboardingIncomplete",
    "Step",
    "check_response",
    "first_unanswered",
    "interest_choices",
    "next_step",
    "setting_writes",
]
