"""The focus timer's transitions (Ignition specification, "Focus Lifecycle"; docs/design.md#focus).

A session is ``active`` (the clock runs) or ``paused`` (it stands still) until it ends as
``completed`` (paid for the time actually focused, once), ``abandoned`` (no award) or
``expired`` (left running or paused past its ``expires_at``: its planned end plus a grace
period, see :mod:`db.focus.rules`). One running (active or paused) session per user: the
partial unique index ``uq_focus_sessions_one_running_per_user`` refuses a second one, also
when two starts race.

The clock: ``started_at`` and ``duration_seconds`` plan the session. Pausing records the time
left in ``focus_sessions.paused_at``/``paused_remaining_seconds`` and in the session's
``focus_pause_state`` row (``is_paused``, ``paused_at``, ``time_remaining_seconds``); resuming
clears the session's pause fields and records ``resumed_at`` (the time left stays in
``time_remaining_seconds``), and moves ``expires_at`` later by the time spent paused. So the
time left at any moment is :func:`db.focus.rules.remaining_seconds` of these columns, and the
time focused is the planned duration minus the time left.

Every transition locks the session row first (``SELECT ... FOR UPDATE``), then its pause
state, then posts to the ledger (the lock order of :mod:`db.gamification.ledger`), appends an
``activity_events`` row and publishes ``focus.session.<status>`` with ``session_id`` in the
payload. Transitions take an :class:`~sqlalchemy.ext.asyncio.AsyncConnection` inside the
caller's transaction and raise :class:`~db.errors.DomainError` subclasses for the refusals;
they write nothing before refusing.

Expiry happens "when next touched" and by a periodic sweep: :func:`expire_overdue` marks the
overdue sessions (of one user, or of everybody in batches) ``expired``; the mutations run it
before their work, in their own transaction whatever the outcome (the expiry is the passage of
time, not the refused request), and ``gateway/maintenance.py`` runs it periodically. A
transition that meets an overdue session it was not told about refuses with
``InvalidState(status="expired")``.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.errors import FocusSessionAlreadyRunning, InvalidState, NotFound
from db.events.outbox import Topic, publish
from db.focus import rules
from db.focus.models import FocusMode, FocusStatus
from db.gamification.achievements import AWARD_TRIGGERS, evaluate_achievements
from db.gamification.ledger import Posting, post
from db.gamification.models import AchievementTriggerType
from db.gamification.streaks import DAILY_ACTIVITY, touch_streak
from db.gamification.streaks import FOCUS as FOCUS_STREAK
from db.quests.models import QuestTargetType
from db.quests.progress import advance_quests

_sessions = metadata.tables["focus_sessions"]
_pause = metadata.tables["focus_pause_state"]
_wallets = metadata.tables["user_wallet"]
_progress = metadata.tables["user_progress"]
_settings = metadata.tables["user_settings"]

#: The statuses of a running session (the partial unique index covers these).
RUNNING = (FocusStatus.ACTIVE.value, FocusStatus.PAUSED.value)

# The statements of the session transitions, built once: a call binds its values at
# execution (the SET values of _UPDATE_SESSION too, named after their columns).
_LOCK_SESSION = (
    sa.select(_sessions, sa.func.clock_timestamp().label("now"))
    .where(_sessions.c.id == sa.bindparam("session"), _sessions.c.user_id == sa.bindparam("owner"))
    .with_for_update(of=_sessions)
)
_LOCK_PAUSE = (
    sa.select(_pause).where(_pause.c.session_id == sa.bindparam("session")).with_for_update()
)
_UPDATE_SESSION = sa.update(_sessions).where(_sessions.c.id == sa.bindparam("session"))
_OWNED = (
    sa.select(_wallets.c.id, _progress.c.id)
    .join(_progress, _progress.c.user_id == _wallets.c.user_id)
    .where(_wallets.c.user_id == sa.bindparam("owner"))
)
#: The constraint that allows one running session per user.
ONE_RUNNING_INDEX = "uq_focus_sessions_one_running_per_user"


@dataclass(frozen=True)
class Completion:
    """What :func:`complete_session` did.

    Attributes:
        session_id: the completed session.
        focused_seconds: time actually focused (pauses excluded, capped at the plan), seconds.
        minutes: whole minutes focused (what the award is computed from).
        award: the XP, coins and stars paid.
        posting: the ledger posting, or None when the award was empty.
        counted: whether the session counts for achievements and quests
            (:func:`db.focus.rules.counts_for_progress`).
        wallet_id: the user's ``user_wallet`` row (as it is after the award).
        progress_id: the user's ``user_progress`` row.
    """

    session_id: uuid.UUID
    focused_seconds: int
    minutes: int
    award: rules.FocusAward
    posting: Posting | None
    counted: bool
    wallet_id: uuid.UUID
    progress_id: uuid.UUID


async def _clock(conn: AsyncConnection) -> datetime:
    """The database's clock (``clock_timestamp()``): every timestamp a transition writes
    comes from the server that checks ``completed_at >= started_at``."""
    now: datetime = (await conn.execute(sa.select(sa.func.clock_timestamp()))).scalar_one()
    return now


async def start_session(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    mode: FocusMode,
    duration_seconds: int | None,
    task_id: uuid.UUID | None = None,
    task_title: str | None = None,
) -> uuid.UUID:
    """Start a focus session (Ignition specification, "Focus Lifecycle", step 1).

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the viewer.
        mode: focus, break or long break.
        duration_seconds: the planned duration, :data:`~db.focus.rules.MIN_DURATION_SECONDS`
            to :data:`~db.focus.rules.MAX_DURATION_SECONDS` seconds; None: the user's
            ``default_focus_duration`` setting (:func:`~db.focus.rules.default_duration`).
        task_id: the planner item worked on (a free reference).
        task_title: its title, at most :data:`~db.focus.rules.MAX_TASK_TITLE` characters.

    Returns:
        The new session's id; it is ``active``, with ``expires_at`` its planned end plus the
        grace period.

    Raises:
        InvalidInput: a duration out of range (``input.durationSeconds``) or an overlong title
            (``input.taskTitle``).
        FocusSessionAlreadyRunning: the viewer has an active or paused session
            (``session_id`` names it); also when a concurrent start won the race.
    """
    if duration_seconds is not None:
        rules.DURATION.check(duration_seconds, "input.durationSeconds")
    title = task_title.strip() if task_title is not None else None
    if title is not None:
        rules.TASK_TITLE.check(title, "input.taskTitle")
    if duration_seconds is None:
        duration_seconds = rules.default_duration(
            (
                await conn.execute(
                    sa.select(_settings.c.value).where(
                        _settings.c.user_id == user_id,
                        _settings.c.key == rules.DEFAULT_DURATION_SETTING,
                    )
                )
            ).scalar_one_or_none()
        )
    now = await _clock(conn)
    # The partial unique index decides races: a concurrent start that commits first makes this
    # insert wait for it and then fail. ON CONFLICT DO NOTHING turns that into "no row".
    session_id = (
        await conn.execute(
            insert(_sessions)
            .values(
                user_id=user_id,
                mode=FocusMode(mode).value,
                duration_seconds=duration_seconds,
                started_at=now,
                expires_at=rules.expires_at(now, duration_seconds),
                status=FocusStatus.ACTIVE.value,
                task_id=task_id,
                task_title=title or None,
                created_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=["user_id"],
                # A literal predicate: the partial index is inferred from it at plan time.
                index_where=sa.text("status IN ('active', 'paused')"),
            )
            .returning(_sessions.c.id)
        )
    ).scalar_one_or_none()
    if session_id is None:
        running = (
            await conn.execute(
                sa.select(_sessions.c.id).where(
                    _sessions.c.user_id == user_id, _sessions.c.status.in_(RUNNING)
                )
            )
        ).scalar_one_or_none()
        raise FocusSessionAlreadyRunning(
            "Finish or abandon the running focus session first.",
            session_id=str(running) if running is not None else "",
        )
    details = {
        "session_id": str(session_id),
        "mode": FocusMode(mode).value,
        "duration_seconds": duration_seconds,
        "task_title": title or None,
    }
    await record_activity(conn, user_id, "focus.session.started", "focus", details)
    await publish(conn, Topic.FOCUS_SESSION_STARTED, user_id, details)
    return uuid.UUID(str(session_id))


async def _lock(conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID) -> Any:
    """The viewer's session row, locked, plus the database clock as ``now``.

    Raises:
        NotFound: no such session, or another user's.
        InvalidState: the session is past its ``expires_at`` (``status`` ``expired``).
    """
    row = (
        await conn.execute(_LOCK_SESSION, {"session": session_id, "owner": user_id})
    ).one_or_none()
    if row is None:
        raise NotFound("There is no such focus session.", resource="FocusSession")
    if row.status in RUNNING and row.expires_at is not None and row.expires_at <= row.now:
        raise InvalidState("The focus session has expired.", status=FocusStatus.EXPIRED.value)
    return row


def _require(row: Any, *allowed: FocusStatus, doing: str) -> None:
    if row.status not in {s.value for s in allowed}:
        states = " or ".join(s.value for s in allowed)
        article = "an" if states[0] in "aeiou" else "a"
        raise InvalidState(
            f"Only {article} {states} session can be {doing}; this one is {row.status}.",
            status=str(row.status),
        )


async def _pause_state(conn: AsyncConnection, session_id: uuid.UUID) -> Any:
    """The session's ``focus_pause_state`` row, locked (None before its first pause)."""
    return (await conn.execute(_LOCK_PAUSE, {"session": session_id})).one_or_none()


def _remaining(row: Any, pause: Any, now: datetime) -> int:
    return rules.remaining_seconds(
        duration_seconds=row.duration_seconds,
        started_at=row.started_at,
        now=now,
        paused_remaining_seconds=row.paused_remaining_seconds
        if row.status == FocusStatus.PAUSED
        else None,
        resumed_at=pause.resumed_at if pause is not None else None,
        remaining_at_resume=pause.time_remaining_seconds if pause is not None else None,
    )


async def _event(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    topic: Topic,
    details: dict[str, Any],
    *,
    xp: int = 0,
    coins: int = 0,
) -> None:
    """The activity row and the outbox row of a transition (the topic is the event type)."""
    await record_activity(conn, user_id, str(topic), "focus", details, xp=xp, coins=coins)
    await publish(conn, topic, user_id, details)


async def pause_session(
    conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID
) -> uuid.UUID:
    """Pause an active session: the clock stops (Ignition specification, "Focus Lifecycle", step 2).

    Sets ``focus_sessions.paused_at`` and ``paused_remaining_seconds`` (the time left now)
    and the pause state (``is_paused``, ``paused_at``, ``time_remaining_seconds``).

    Returns:
        The session id.

    Raises:
        NotFound: no such session of the viewer.
        InvalidState: the session is not active (``status`` says what it is), or expired.
    """
    row = await _lock(conn, user_id, session_id)
    _require(row, FocusStatus.ACTIVE, doing="paused")
    pause = await _pause_state(conn, session_id)
    now = row.now
    left = _remaining(row, pause, now)
    await conn.execute(
        sa.update(_sessions)
        .where(_sessions.c.id == session_id)
        .values(status=FocusStatus.PAUSED.value, paused_at=now, paused_remaining_seconds=left)
    )
    await conn.execute(
        insert(_pause)
        .values(
            user_id=user_id,
            session_id=session_id,
            is_paused=True,
            paused_at=now,
            time_remaining_seconds=left,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=["session_id"],
            set_={
                "is_paused": True,
                "paused_at": now,
                "time_remaining_seconds": left,
                "updated_at": now,
            },
        )
    )
    await _event(
        conn,
        user_id,
        Topic.FOCUS_SESSION_PAUSED,
        {"session_id": str(session_id), "remaining_seconds": left},
    )
    return session_id


async def resume_session(
    conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID
) -> uuid.UUID:
    """Resume a paused session: the clock runs again (Ignition specification, "Focus Lifecycle",
    step 3).

    Clears the session's pause fields, records ``resumed_at`` in the pause state (whose
    ``time_remaining_seconds`` keeps the time left) and moves ``expires_at`` by the time spent
    paused.

    Returns:
        The session id.

    Raises:
        NotFound: no such session of the viewer.
        InvalidState: the session is not paused, or expired.
    """
    row = await _lock(conn, user_id, session_id)
    _require(row, FocusStatus.PAUSED, doing="resumed")
    await _pause_state(conn, session_id)
    now = row.now
    left = int(row.paused_remaining_seconds)
    await conn.execute(
        sa.update(_sessions)
        .where(_sessions.c.id == session_id)
        .values(
            status=FocusStatus.ACTIVE.value,
            paused_at=None,
            paused_remaining_seconds=None,
            expires_at=rules.expires_at(now, left),
        )
    )
    await conn.execute(
        sa.update(_pause)
        .where(_pause.c.session_id == session_id)
        .values(is_paused=False, resumed_at=now, time_remaining_seconds=left, updated_at=now)
    )
    await _event(
        conn,
        user_id,
        Topic.FOCUS_SESSION_RESUMED,
        {"session_id": str(session_id), "remaining_seconds": left},
    )
    return session_id


async def complete_session(
    conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID
) -> Completion:
    """Complete a running or paused session and pay for the time focused, once
    (Ignition specification, "Focus Lifecycle", steps 4-5).

    The session may be completed before its planned end: the award
    (:func:`db.focus.rules.focus_award`) is computed from the whole minutes actually focused,
    pauses excluded, capped at the planned duration. The ledger row has ``event_id`` = the
    session id and the natural key ``focus.session.completed:<id>``, so the session cannot
    be paid twice; no row is posted for an empty award.

    A session of at least :data:`~db.focus.rules.MIN_COUNTED_MINUTES` minute advances the
    accepted quests of ``focus_sessions_completed`` (one) and ``focus_minutes`` (the minutes),
    whose filters see its ``mode`` and ``minutes`` (before the ledger posting: the lock order
    of :mod:`db.quests.progress`); afterwards the achievements of
    ``focus_sessions_completed`` and ``focus_minutes_total`` (a counted ``focus`` session,
    :func:`~db.focus.rules.counts_for_progress`) and, when something was paid, those of the
    level and the coins earned are evaluated.

    Returns:
        The :class:`Completion`.

    Raises:
        NotFound: no such session of the viewer.
        InvalidState: the session is completed, abandoned or expired already.
    """
    row = await _lock(conn, user_id, session_id)
    _require(row, FocusStatus.ACTIVE, FocusStatus.PAUSED, doing="completed")
    pause = await _pause_state(conn, session_id)
    now = row.now
    left = _remaining(row, pause, now)
    focused = row.duration_seconds - left
    minutes = focused // 60
    award = rules.focus_award(row.mode, minutes)
    what = "focus session" if row.mode == FocusMode.FOCUS else "break"
    if minutes >= rules.MIN_COUNTED_MINUTES:
        # Quests before the ledger (the lock order of db.quests.progress); their filters look
        # at the mode and the minutes (a quest may count breaks).
        attributes = {"mode": str(row.mode), "minutes": minutes}
        await advance_quests(
            conn,
            user_id,
            target_type=QuestTargetType.FOCUS_SESSIONS_COMPLETED,
            amount=1,
            attributes=attributes,
            now=now,
        )
        await advance_quests(
            conn,
            user_id,
            target_type=QuestTargetType.FOCUS_MINUTES,
            amount=minutes,
            attributes=attributes,
            now=now,
        )
    posting = None
    if not award.is_empty:
        posting = await post(
            conn,
            user_id,
            event_type="focus.session.completed",
            coins=award.coins,
            xp=award.xp,
            stars=award.stars,
            skill_key=award.skill_key,
            event_id=str(session_id),
            reason=f"{minutes}-minute {what} completed",
            idempotency_key=f"focus.session.completed:{session_id}",
        )
    await conn.execute(
        _UPDATE_SESSION,
        {
            "session": session_id,
            "status": FocusStatus.COMPLETED.value,
            "completed_at": now,
            "focused_seconds": focused,
            "paused_at": None,
            "paused_remaining_seconds": None,
            "xp_awarded": award.xp,
            "coins_awarded": award.coins,
        },
    )
    if pause is not None:
        await conn.execute(
            sa.update(_pause)
            .where(_pause.c.session_id == session_id)
            .values(is_paused=False, time_remaining_seconds=left, updated_at=now)
        )
    counted = rules.counts_for_progress(row.mode, minutes)
    await _event(
        conn,
        user_id,
        Topic.FOCUS_SESSION_COMPLETED,
        {
            "session_id": str(session_id),
            "mode": str(row.mode),
            "focused_seconds": focused,
            "minutes": minutes,
            "xp": award.xp,
            "coins": award.coins,
            "stars": award.stars,
            "ledger_entry_id": str(posting.entry_id) if posting else None,
        },
        xp=award.xp,
        coins=award.coins,
    )
    triggers: list[AchievementTriggerType] = []
    if counted:
        # The day counts for the focus and the daily activity streaks (after the ledger: the
        # lock order of db/gamification/streaks.py), and so for the streak_days achievements.
        day = now.astimezone(UTC).date()
        await touch_streak(conn, user_id, FOCUS_STREAK, day)
        await touch_streak(conn, user_id, DAILY_ACTIVITY, day)
        triggers += [
            AchievementTriggerType.FOCUS_SESSIONS_COMPLETED,
            AchievementTriggerType.FOCUS_MINUTES_TOTAL,
            AchievementTriggerType.STREAK_DAYS,
        ]
    if posting is not None:
        triggers += AWARD_TRIGGERS
    await evaluate_achievements(conn, user_id, triggers)
    owned = (await conn.execute(_OWNED, {"owner": user_id})).one()
    return Completion(
        session_id=session_id,
        focused_seconds=focused,
        minutes=minutes,
        award=award,
        posting=posting,
        counted=counted,
        wallet_id=owned[0],
        progress_id=owned[1],
    )


async def abandon_session(
    conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID
) -> uuid.UUID:
    """Abandon a running or paused session: it ends without an award.

    Returns:
        The session id.

    Raises:
        NotFound: no such session of the viewer.
        InvalidState: the session has ended already (or expired).
    """
    row = await _lock(conn, user_id, session_id)
    _require(row, FocusStatus.ACTIVE, FocusStatus.PAUSED, doing="abandoned")
    pause = await _pause_state(conn, session_id)
    now = row.now
    left = _remaining(row, pause, now)
    await conn.execute(
        sa.update(_sessions)
        .where(_sessions.c.id == session_id)
        .values(
            status=FocusStatus.ABANDONED.value,
            abandoned_at=now,
            paused_at=None,
            paused_remaining_seconds=None,
        )
    )
    if pause is not None:
        await conn.execute(
            sa.update(_pause)
            .where(_pause.c.session_id == session_id)
            .values(is_paused=False, time_remaining_seconds=left, updated_at=now)
        )
    await _event(
        conn,
        user_id,
        Topic.FOCUS_SESSION_ABANDONED,
        {"session_id": str(session_id), "focused_seconds": row.duration_seconds - left},
    )
    return session_id


@functools.lru_cache(maxsize=8)
def _expire_statement(per_user: bool, limit: int) -> sa.Update:
    """The UPDATE of :func:`expire_overdue`: at most ``limit`` running sessions past their
    ``expires_at`` (of the user bound as ``owner`` when ``per_user``) marked ``expired``;
    built once per shape."""
    due = (
        sa.select(_sessions.c.id)
        .where(_sessions.c.status.in_(RUNNING), _sessions.c.expires_at <= sa.func.clock_timestamp())
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if per_user:
        due = due.where(_sessions.c.user_id == sa.bindparam("owner"))
    return (
        sa.update(_sessions)
        .where(_sessions.c.id.in_(due.scalar_subquery()))
        .values(status=FocusStatus.EXPIRED.value, paused_at=None, paused_remaining_seconds=None)
        .returning(_sessions.c.id, _sessions.c.user_id, _sessions.c.expires_at)
    )


async def expire_overdue(
    conn: AsyncConnection, user_id: uuid.UUID | None = None, *, limit: int = 500
) -> list[uuid.UUID]:
    """Mark running sessions past their ``expires_at`` ``expired`` (no award), with their
    activity and ``focus.session.expired`` rows.

    Rows locked by another transaction are skipped (``FOR UPDATE SKIP LOCKED``): that
    transaction is touching the session and decides, and several gateway processes may sweep at
    once without waiting for each other.

    Args:
        conn: a connection inside the caller's transaction.
        user_id: only this user's session (the "when next touched" path), or None for everyone
            (the periodic sweep).
        limit: at most this many sessions per call (the sweep calls again while it is full).

    Returns:
        The ids of the sessions expired.
    """
    now = sa.func.clock_timestamp()
    rows = (
        await conn.execute(_expire_statement(user_id is not None, limit), {"owner": user_id})
    ).all()
    if rows:
        await conn.execute(
            sa.update(_pause)
            .where(_pause.c.session_id.in_([r.id for r in rows]))
            .values(is_paused=False, updated_at=now)
        )
    for r in rows:
        details = {"session_id": str(r.id), "expires_at": r.expires_at.isoformat()}
        await _event(conn, r.user_id, Topic.FOCUS_SESSION_EXPIRED, details)
    return [uuid.UUID(str(r.id)) for r in rows]


__all__ = [
    "ONE_RUNNING_INDEX",
    "RUNNING",
    "Completion",
    "abandon_session",
    "complete_session",
    "expire_overdue",
    "pause_session",
    "resume_session",
    "start_session",
]
