"""Books: the user's reading list with progress, and reading sessions (which award XP and
coins through the ledger).

Columns: Ignition specification, "Migration 0012: Books Substrate"; types, defaults and meanings:
Ignition specification, "Section 12: Books Tables". The book status values are those of the
Ignition specification plus ``want_to_read`` (a book on the list, not started yet; the original
PostgreSQL migration 0012 has it too).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class BookStatus(enum.StrEnum):
    """Where a book stands on the user's list.

    - ``want_to_read``: on the list, not started.
    - ``reading``: being read now.
    - ``completed``: read to the end.
    - ``paused``: put aside for now.
    - ``dropped``: given up.
    """

    WANT_TO_READ = "want_to_read"
    READING = "reading"
    COMPLETED = "completed"
    PAUSED = "paused"
    DROPPED = "dropped"


class Book(Base):
    """A book on a user's reading list, with reading progress."""

    __tablename__ = "books"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str] = mapped_column(doc="The book's title.")
    author: Mapped[str | None] = mapped_column(doc="The book's author.")
    total_pages: Mapped[int | None] = mapped_column(
        doc="The number of pages of the book, when known."
    )
    current_page: Mapped[int] = mapped_column(
        server_default="0", doc="The page the user has read up to."
    )
    status: Mapped[BookStatus] = mapped_column(
        server_default="reading", doc="Where the book stands on the user's list."
    )
    started_at: Mapped[datetime | None] = mapped_column(
        doc="When the user started reading the book."
    )
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the user finished the book; null unless completed."
    )
    rating: Mapped[int | None] = mapped_column(doc="The user's rating of the book, 1 to 5 stars.")
    notes: Mapped[str | None] = mapped_column(doc="The user's notes on the book.")
    cover_blob_id: Mapped[uuid.UUID | None] = mapped_column(
        doc="The stored cover image of the book (an object-storage id; null when none)."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("total_pages > 0", name="total_pages_positive"),
        *non_negative("current_page"),
        CheckConstraint(
            "total_pages IS NULL OR current_page <= total_pages", name="current_page_within_book"
        ),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_between_1_and_5"),
    )


class ReadingSession(Base):
    """One sitting of reading a book; it awards XP and coins through the ledger."""

    __tablename__ = "reading_sessions"

    id: Mapped[UUIDPK]
    book_id: Mapped[uuid.UUID] = fk("books.id", doc="The book read.")
    user_id: Mapped[uuid.UUID] = user_fk()
    pages_read: Mapped[int] = mapped_column(doc="The number of pages read in this sitting.")
    duration_minutes: Mapped[int | None] = mapped_column(
        doc="How long the sitting lasted, in minutes."
    )
    started_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the sitting started."
    )
    notes: Mapped[str | None] = mapped_column(doc="The user's notes on this sitting.")
    xp_awarded: Mapped[int] = mapped_column(server_default="0", doc="XP the sitting earned.")
    coins_awarded: Mapped[int] = mapped_column(server_default="0", doc="Coins the sitting earned.")

    __table_args__ = (
        *non_negative("pages_read", "duration_minutes", "xp_awarded", "coins_awarded"),
    )
