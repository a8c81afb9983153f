"""Books: the user's reading list with progress, and reading sessions (which award XP and
coins through the ledger).

Columns: spec/004 migration 0012; types, defaults and meanings: spec/003 section 12. The book
status values are those of spec/003 plus ``want_to_read`` (a book on the list, not started yet;
the original PostgreSQL migration 0012 has it too).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class BookStatus(enum.StrEnum):
    """Where a book stands on the user's list; ``want_to_read`` added to spec/003's values."""

    WANT_TO_READ = "want_to_read"
    READING = "reading"
    COMPLETED = "completed"
    PAUSED = "paused"
    DROPPED = "dropped"


class Book(Base):
    __tablename__ = "books"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str]
    author: Mapped[str | None]
    total_pages: Mapped[int | None]
    current_page: Mapped[int] = mapped_column(server_default="0")
    status: Mapped[BookStatus] = mapped_column(server_default="reading")
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    notes: Mapped[str | None]
    cover_blob_id: Mapped[uuid.UUID | None]
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
    __tablename__ = "reading_sessions"

    id: Mapped[UUIDPK]
    book_id: Mapped[uuid.UUID] = fk("books.id")
    user_id: Mapped[uuid.UUID] = user_fk()
    pages_read: Mapped[int]
    duration_minutes: Mapped[int | None]
    started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    notes: Mapped[str | None]
    xp_awarded: Mapped[int] = mapped_column(server_default="0")
    coins_awarded: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        *non_negative("pages_read", "duration_minutes", "xp_awarded", "coins_awarded"),
    )
