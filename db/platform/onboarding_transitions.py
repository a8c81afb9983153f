"""Onboarding writes (the rules: :mod:`db.platform.onboarding`): start, answer a step, skip,
resume, complete, and set the interests. Each takes the caller's transaction and locks the
user's ``user_onboarding_state`` row first, so concurrent calls of one user run one after the
other."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.errors import InvalidInput, InvalidState, NotFound
from db.platform import setting_transitions
from db.platform.onboarding import (
    OnboardingIncomplete,
    Step,
    check_response,
    first_unanswered,
    interest_choices,
    next_step,
    setting_writes,
)

_state = metadata.tables["user_onboarding_state"]
_steps = metadata.tables["onboarding_steps"]
_responses = metadata.tables["user_onboarding_responses"]
_interests = metadata.tables["user_interests"]


async def _lock(conn: AsyncConnection, user_id: uuid.UUID) -> Any:
    row = (
        await conn.execute(sa.select(_state).where(_state.c.user_id == user_id).with_for_update())
    ).first()
    if row is None:
        raise NotFound("You have no onboarding.", resource="UserOnboardingState")
    return row


async def _flow_steps(conn: AsyncConnection, flow_id: uuid.UUID) -> list[Step]:
    rows = await conn.execute(
        sa.select(_steps).where(_steps.c.flow_id == flow_id).order_by(_steps.c.step_order)
    )
    return [
        Step(
            id=r.id,
            step_order=r.step_order,
            step_type=str(r.step_type),
            title=r.title,
            options=tuple(o for o in (r.options or []) if isinstance(o, dict)),
            allows_multiple=r.allows_multiple,
            required=r.required,
            action_type=r.action_type,
            action_config=r.action_config if isinstance(r.action_config, dict) else {},
        )
        for r in rows
    ]


async def _answered(
    conn: AsyncConnection, user_id: uuid.UUID, steps: Sequence[Step]
) -> set[uuid.UUID]:
    rows = await conn.execute(
        sa.select(_responses.c.step_id).where(
            _responses.c.user_id == user_id, _responses.c.step_id.in_([s.id for s in steps])
        )
    )
    return set(rows.scalars())


async def _move(conn: AsyncConnection, state_id: uuid.UUID, **values: Any) -> uuid.UUID:
    await conn.execute(
        sa.update(_state).where(_state.c.id == state_id).values(updated_at=sa.func.now(), **values)
    )
    return state_id


def _refuse(row: Any, *allowed: str) -> None:
    status = str(row.status)
    if status not in allowed:
        raise InvalidState(f"Onboarding is {status}.", status=status)


async def start(conn: AsyncConnection, user_id: uuid.UUID) -> uuid.UUID:
    """Begin the flow: ``not_started`` -> ``in_progress`` on its first step (a flow already
    in progress is left as it is).

    Returns:
        The ``user_onboarding_state`` id.

    Raises:
        NotFound: the user has no onboarding state.
        InvalidState: the flow is completed or skipped (``resumeOnboarding`` picks a skipped
            one up).
    """
    row = await _lock(conn, user_id)
    _refuse(row, "not_started", "in_progress")
    if str(row.status) == "in_progress":
        return uuid.UUID(str(row.id))
    steps = await _flow_steps(conn, row.flow_id)
    return await _move(
        conn,
        row.id,
        status="in_progress",
        started_at=sa.func.now(),
        current_step_id=steps[0].id if steps else None,
    )


async def answer(
    conn: AsyncConnection, user_id: uuid.UUID, step_id: uuid.UUID, response: Any
) -> tuple[uuid.UUID, uuid.UUID]:
    """Answer one step of the user's flow (module docstring of :mod:`db.platform.onboarding`):
    the response is stored (replacing an earlier one), settings and interests are written,
    and the current step moves to the step after this one.

    Returns:
        ``(user_onboarding_state id, user_onboarding_responses id)``.

    Raises:
        NotFound: no onboarding state, or ``step_id`` is not a step of the user's flow
            (``resource`` ``OnboardingStep``).
        InvalidState: the flow is not in progress (start or resume it first).
        InvalidInput: the response does not fit the step (``input.response``), or a setting
            it writes is refused (``input.response`` too).
    """
    row = await _lock(conn, user_id)
    steps = await _flow_steps(conn, row.flow_id)
    step = next((s for s in steps if s.id == step_id), None)
    if step is None:
        raise NotFound("No such step in your onboarding.", resource="OnboardingStep")
    _refuse(row, "in_progress")
    stored = check_response(step, response)
    writes = setting_writes(step, stored)
    try:
        setting_transitions.check_settings(writes)
    except InvalidInput as refused:
        raise InvalidInput(refused.message, field="input.response") from None
    await setting_transitions.write_settings(conn, user_id, writes)
    interests = interest_choices(step, stored)
    if interests is not None:
        own = [str(o.get("value")) for o in step.options]
        await conn.execute(
            sa.delete(_interests).where(
                _interests.c.user_id == user_id, _interests.c.interest_key.in_(own)
            )
        )
        await _insert_interests(conn, user_id, interests)
    upsert = insert(_responses).values(user_id=user_id, step_id=step.id, response=stored)
    response_id = (
        await conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[_responses.c.user_id, _responses.c.step_id],
                set_={"response": upsert.excluded.response},
            ).returning(_responses.c.id)
        )
    ).scalar_one()
    following = next_step(steps, step.id)
    await _move(conn, row.id, current_step_id=following.id if following else None)
    return uuid.UUID(str(row.id)), response_id


async def _insert_interests(
    conn: AsyncConnection, user_id: uuid.UUID, interests: Sequence[tuple[str, str]]
) -> None:
    if interests:
        await conn.execute(
            insert(_interests)
            .values(
                [{"user_id": user_id, "interest_key": k, "interest_label": v} for k, v in interests]
            )
            .on_conflict_do_nothing(
                index_elements=[_interests.c.user_id, _interests.c.interest_key]
            )
        )


async def skip(conn: AsyncConnection, user_id: uuid.UUID) -> uuid.UUID:
    """Skip the flow (``not_started`` or ``in_progress`` -> ``skipped``; answers are kept).

    Raises:
        NotFound: no onboarding state.
        InvalidState: the flow is completed or already skipped.
    """
    row = await _lock(conn, user_id)
    _refuse(row, "not_started", "in_progress")
    return await _move(conn, row.id, status="skipped", skipped_at=sa.func.now())


async def resume(conn: AsyncConnection, user_id: uuid.UUID) -> uuid.UUID:
    """Pick a skipped flow up again (``skipped`` -> ``in_progress``) on its first unanswered
    step, when ``can_resume``.

    Raises:
        NotFound: no onboarding state.
        InvalidState: the flow is not skipped, or may not be resumed.
    """
    row = await _lock(conn, user_id)
    _refuse(row, "skipped")
    if not row.can_resume:
        raise InvalidState("This onboarding cannot be resumed.", status="skipped")
    steps = await _flow_steps(conn, row.flow_id)
    pending = first_unanswered(steps, await _answered(conn, user_id, steps), required_only=False)
    return await _move(
        conn,
        row.id,
        status="in_progress",
        skipped_at=None,
        started_at=sa.func.coalesce(_state.c.started_at, sa.func.now()),
        current_step_id=pending.id if pending else None,
    )


async def complete(conn: AsyncConnection, user_id: uuid.UUID) -> uuid.UUID:
    """Finish the flow (``in_progress`` -> ``completed``) once every required step has an
    answer.

    Raises:
        NotFound: no onboarding state.
        InvalidState: the flow is not in progress.
        OnboardingIncomplete: a required step is unanswered (``step_id`` the first one).
    """
    row = await _lock(conn, user_id)
    _refuse(row, "in_progress")
    steps = await _flow_steps(conn, row.flow_id)
    missing = first_unanswered(steps, await _answered(conn, user_id, steps), required_only=True)
    if missing is not None:
        raise OnboardingIncomplete(f"Answer {missing.title!r} first.", step_id=str(missing.id))
    return await _move(
        conn, row.id, status="completed", completed_at=sa.func.now(), current_step_id=None
    )


async def set_interests(
    conn: AsyncConnection, user_id: uuid.UUID, keys: Sequence[str]
) -> list[uuid.UUID]:
    """Make ``keys`` the user's interests (the others are removed). A key must be an option
    of an interest step (``save_interests``) of an onboarding flow; its label comes from there.

    Returns:
        The ``user_interests`` ids, in the order of ``keys``.

    Raises:
        InvalidInput: an unknown key or a key given twice (``keys``); nothing changes.
    """
    if len(set(keys)) != len(keys):
        raise InvalidInput("An interest is given twice.", field="keys")
    labels: dict[str, str] = {}
    for options in (
        await conn.execute(
            sa.select(_steps.c.options).where(_steps.c.action_type == "save_interests")
        )
    ).scalars():
        for option in options or []:
            if isinstance(option, dict) and isinstance(option.get("value"), str):
                labels[option["value"]] = str(option.get("label") or option["value"])
    unknown = [k for k in keys if k not in labels]
    if unknown:
        raise InvalidInput(f"Unknown interest {unknown[0]!r}.", field="keys")
    await conn.execute(
        sa.delete(_interests).where(
            _interests.c.user_id == user_id, _interests.c.interest_key.not_in(list(keys))
        )
    )
    await _insert_interests(conn, user_id, [(k, labels[k]) for k in keys])
    rows = await conn.execute(
        sa.select(_interests.c.interest_key, _interests.c.id).where(_interests.c.user_id == user_id)
    )
    ids: dict[str, uuid.UUID] = {k: i for k, i in rows.all()}
    return [ids[k] for k in keys]
