"""Book transitions: create, update, delete, log a reading session, finish (the rules are
:mod:`db.books.rules`).

A reading session advances ``current_page``, pays through the ledger (event
``reading.session.logged``, key ``reading.session.logged:<session id>``) and advances the
``pages_read`` quests by its pages; finishing a book sets it ``completed``, pays once (event
``book.completed``, key ``book.completed:<book id>``) and evaluates the ``books_completed``
achievements. Both count the day for the ``daily_activity`` streak
(:func:`db.gamification.payout.pay_activity`).

Lock order: the book row, then the quest progress rows, then the ledger, then the streaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.books.models import BookStatus
from db.books.rules import (
    BOOK_FIELDS,
    FINISH_EVENT,
    SESSION_EVENT,
    SESSION_FIELDS,
    advance,
    check_pages,
    check_status_change,
    finish_ledger_key,
    finish_reward,
    session_ledger_key,
    session_reward,
)
from db.errors import InvalidState
from db.fields import clean
from db.gamification.achievements import Unlocked
from db.gamification.models import AchievementTriggerType
from db.gamification.payout import pay_activity
from db.ownership import delete_owned, lock_owned, set_columns
from db.quests.models import QuestTargetType
from db.quests.progress import advance_quests

_books = metadata.tables["books"]
_sessions = metadata.tables["reading_sessions"]


def clean_book(values: Mapping[str, Any], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate and normalise book fields (a full or partial set), before any SQL, by the
    rules of :data:`~db.books.rules.BOOK_FIELDS` (:func:`db.fields.clean`).

    Raises:
        InvalidInput: an empty or overlong title, an overlong author or notes, pages outside
            1..:data:`~db.books.rules.MAX_PAGES` (``currentPage`` 0..), a rating outside 1..5,
            a null where a value is required, ``completed`` or an unknown status, a column that
            is not a book's, a ``required`` one missing.
    """
    return clean(values, BOOK_FIELDS, required=required)


async def create_book(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Add a book to the user's list.

    Args:
        values: ``title`` (required), ``author``, ``total_pages``, ``current_page`` (default 0),
            ``status`` (default ``reading``; ``started_at`` is set now unless
            ``want_to_read``), ``rating``, ``notes``, ``cover_blob_id``.

    Returns:
        The new book's id.

    Raises:
        InvalidInput: what :func:`clean_book` refuses, or ``currentPage`` past ``totalPages``.
    """
    row = clean_book(
        {"current_page": 0, "status": BookStatus.READING.value, **values}, required=("title",)
    )
    check_pages(row.get("total_pages"), row["current_page"])
    if row["status"] != BookStatus.WANT_TO_READ:
        row["started_at"] = sa.func.now()
    book_id = (
        await conn.execute(sa.insert(_books).values(user_id=user_id, **row).returning(_books.c.id))
    ).scalar_one()
    await record_activity(
        conn, user_id, "book.created", "books", {"book_id": str(book_id), "title": row["title"]}
    )
    return uuid.UUID(str(book_id))


async def update_book(
    conn: AsyncConnection, user_id: uuid.UUID, book_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of the user's book (the others keep their values).

    Raises:
        InvalidInput: what :func:`clean_book` refuses, or ``currentPage`` past ``totalPages``
            (the new values, or the stored ones where none is given).
        NotFound: no such book of the user (``resource`` ``Book``).
        InvalidState: a new status for a completed book (``status`` ``completed``).
    """
    values = clean_book(changes)
    book = await lock_owned(conn, _books, book_id, user_id, resource="Book", what="book")
    if "status" in values:
        check_status_change(str(book.status), values["status"])
    check_pages(
        values.get("total_pages", book.total_pages), values.get("current_page", book.current_page)
    )
    if values.get("status") == BookStatus.READING and book.started_at is None:
        values["started_at"] = sa.func.now()
    await set_columns(conn, _books, book_id, values)
    return book_id


async def delete_book(conn: AsyncConnection, user_id: uuid.UUID, book_id: uuid.UUID) -> uuid.UUID:
    """Delete the user's book with its reading sessions (the rewards they paid stay).

    Returns:
        The deleted book's id.

    Raises:
        NotFound: no such book of the user (``resource`` ``Book``).
    """
    book = await delete_owned(conn, _books, book_id, user_id, resource="Book", what="book")
    await record_activity(
        conn, user_id, "book.deleted", "books", {"book_id": str(book_id), "title": book.title}
    )
    return book_id


@dataclass(frozen=True)
class ReadingDone:
    """What :func:`log_reading_session` or :func:`finish_book` did: the book, the new reading
    session (None when finishing), the user's wallet and the achievements unlocked."""

    book_id: uuid.UUID
    session_id: uuid.UUID | None
    wallet_id: uuid.UUID
    unlocked: list[Unlocked]


async def log_reading_session(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    book_id: uuid.UUID,
    *,
    pages_read: int,
    duration_minutes: int | None = None,
    notes: str | None = None,
) -> ReadingDone:
    """Record a sitting of reading the user's book.

    Advances ``current_page`` by ``pages_read`` (never past ``total_pages``; a
    ``want_to_read`` or ``paused`` book becomes ``reading``), writes the ``reading_sessions``
    row with what it paid, advances the ``pages_read`` quests by ``pages_read`` units and pays
    :func:`~db.books.rules.session_reward` (an XP per 2 pages, a coin per 10).

    Args:
        pages_read: pages read, 1 to :data:`~db.books.rules.MAX_PAGES`.
        duration_minutes: how long, 0 to :data:`~db.books.rules.MAX_SESSION_MINUTES` minutes.
        notes: the user's notes, at most :data:`~db.books.rules.MAX_NOTES` characters.

    Raises:
        InvalidInput: ``input.pagesRead``, ``input.durationMinutes`` or ``input.notes`` out of
            range, or more pages than are left in the book.
        NotFound: no such book of the user (``resource`` ``Book``).
        InvalidState: the book is ``completed`` or ``dropped``.
    """
    session = clean(
        {"pages_read": pages_read, "duration_minutes": duration_minutes, "notes": notes},
        SESSION_FIELDS,
    )
    notes = session["notes"]
    book = await lock_owned(conn, _books, book_id, user_id, resource="Book", what="book")
    page, status = advance(str(book.status), book.current_page, book.total_pages, pages_read)
    reward = session_reward(pages_read)
    session_id = uuid.UUID(
        str(
            (
                await conn.execute(
                    sa.insert(_sessions)
                    .values(
                        book_id=book_id,
                        user_id=user_id,
                        pages_read=pages_read,
                        duration_minutes=duration_minutes,
                        notes=notes,
                        xp_awarded=reward.xp,
                        coins_awarded=reward.coins,
                    )
                    .returning(_sessions.c.id)
                )
            ).scalar_one()
        )
    )
    await conn.execute(
        sa.update(_books)
        .where(_books.c.id == book_id)
        .values(
            current_page=page,
            status=status.value,
            started_at=sa.func.coalesce(_books.c.started_at, sa.func.now()),
            updated_at=sa.func.now(),
        )
    )
    await advance_quests(
        conn,
        user_id,
        target_type=QuestTargetType.PAGES_READ,
        amount=pages_read,
        attributes={"pages": pages_read, "minutes": duration_minutes or 0},
    )
    paid = await pay_activity(
        conn,
        user_id,
        reward,
        event_type=SESSION_EVENT,
        event_id=session_id,
        ledger_key=session_ledger_key(session_id),
        reason=f"Reading: {book.title}",
        category="books",
        details={
            "book_id": str(book_id),
            "reading_session_id": str(session_id),
            "pages_read": pages_read,
        },
    )
    return ReadingDone(book_id, session_id, paid.wallet_id, paid.unlocked)


async def finish_book(conn: AsyncConnection, user_id: uuid.UUID, book_id: uuid.UUID) -> ReadingDone:
    """Mark the user's book read to the end: ``status`` ``completed``, ``completed_at`` now,
    ``current_page`` = ``total_pages`` (when known); pays :func:`~db.books.rules.finish_reward`
    once (ledger key ``book.completed:<book id>``) and evaluates the ``books_completed``
    achievements (``first_book_finished``).

    Raises:
        NotFound: no such book of the user (``resource`` ``Book``).
        InvalidState: the book is finished already (``status`` ``completed``).
    """
    book = await lock_owned(conn, _books, book_id, user_id, resource="Book", what="book")
    if book.status == BookStatus.COMPLETED:
        raise InvalidState("This book is finished already.", status=BookStatus.COMPLETED.value)
    await conn.execute(
        sa.update(_books)
        .where(_books.c.id == book_id)
        .values(
            status=BookStatus.COMPLETED.value,
            completed_at=sa.func.now(),
            current_page=sa.func.coalesce(_books.c.total_pages, _books.c.current_page),
            started_at=sa.func.coalesce(_books.c.started_at, sa.func.now()),
            updated_at=sa.func.now(),
        )
    )
    paid = await pay_activity(
        conn,
        user_id,
        finish_reward(),
        event_type=FINISH_EVENT,
        event_id=book_id,
        ledger_key=finish_ledger_key(book_id),
        reason=f"Book finished: {book.title}",
        category="books",
        details={"book_id": str(book_id), "title": book.title},
        triggers=(AchievementTriggerType.BOOKS_COMPLETED,),
    )
    return ReadingDone(book_id, None, paid.wallet_id, paid.unlocked)


__all__ = [
    "ReadingDone",
    "clean_book",
    "create_book",
    "delete_book",
    "finish_book",
    "log_reading_session",
    "update_book",
]
