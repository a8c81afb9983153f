"""Book mutations: the viewer's reading list, reading sessions and finishing a book. The rules
live in :mod:`db.books.transitions` and :mod:`db.books.rules`; these declarations only map
arguments and results."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.books import rules, transitions
from db.books.models import Book, BookStatus
from db.errors import InvalidState, NotFound
from schema.core.crud import converting, owned_mutations
from schema.core.descriptions import column_doc
from schema.core.mutations import (
    IDEMPOTENCY_KEY,
    IdempotencyKey,
    Ids,
    Tx,
    id_arg,
    mutation,
)
from schema.core.types import graphql_enum

BookStatusEnum: Any = graphql_enum(BookStatus)

BookId = Annotated[strawberry.ID, strawberry.argument(description="One of the viewer's books.")]

_STATUS = "Not COMPLETED: a book is finished with `finishBook`."


def _doc(column: str) -> str:
    """The model's text of a ``books`` column (the input field mirrors it)."""
    return column_doc(Book, column)


@strawberry.input(description="A new book on the viewer's list.")
class CreateBookInput:
    title: Annotated[str, rules.TITLE] = strawberry.field(description=_doc("title"))
    author: Annotated[str | None, rules.AUTHOR] = strawberry.field(
        default=None, description=_doc("author")
    )
    total_pages: Annotated[int | None, rules.TOTAL_PAGES] = strawberry.field(
        default=None, description=_doc("total_pages")
    )
    current_page: Annotated[int, rules.CURRENT_PAGE] = strawberry.field(
        default=0, description=f"{_doc('current_page')} Not past `totalPages`."
    )
    status: BookStatusEnum = strawberry.field(
        default=BookStatus.READING, description=f"{_doc('status')} {_STATUS}"
    )
    rating: Annotated[int | None, rules.RATING] = strawberry.field(
        default=None, description="The user's rating of the book, in stars."
    )
    notes: Annotated[str | None, rules.NOTES] = strawberry.field(
        default=None, description=_doc("notes")
    )
    cover_blob_id: strawberry.ID | None = strawberry.field(
        default=None, description=_doc("cover_blob_id")
    )


@strawberry.input(
    description="The fields to change; a field left out keeps its value, `null` clears an "
    "optional one."
)
class UpdateBookInput:
    title: Annotated[str | None, rules.TITLE] = strawberry.field(
        default=strawberry.UNSET, description="A new title."
    )
    author: Annotated[str | None, rules.AUTHOR] = strawberry.field(
        default=strawberry.UNSET, description="A new author; null clears it."
    )
    total_pages: Annotated[int | None, rules.TOTAL_PAGES] = strawberry.field(
        default=strawberry.UNSET, description="The book's pages; null: unknown."
    )
    current_page: Annotated[int | None, rules.CURRENT_PAGE] = strawberry.field(
        default=strawberry.UNSET, description="The page read up to, not past `totalPages`."
    )
    status: BookStatusEnum | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A new status. {_STATUS} A finished book keeps its status.",
    )
    rating: Annotated[int | None, rules.RATING] = strawberry.field(
        default=strawberry.UNSET, description="A rating in stars; null clears it."
    )
    notes: Annotated[str | None, rules.NOTES] = strawberry.field(
        default=strawberry.UNSET, description="Notes; null clears them."
    )
    cover_blob_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The stored cover image; null clears it."
    )


BOOK_MUTATIONS = owned_mutations(
    "book",
    table="books",
    row_id=BookId,
    inputs=(CreateBookInput, UpdateBookInput),
    create=transitions.create_book,
    update=transitions.update_book,
    delete=transitions.delete_book,
    values=converting(cover_blob_id=lambda v: id_arg(v, "input.coverBlobId")),
    errors=((), (NotFound, InvalidState), (NotFound,)),
    descriptions=(
        "Add a book to the viewer's reading list.",
        "Change some fields of one of the viewer's books.",
        "Delete one of the viewer's books with its reading sessions (the rewards they paid stay).",
    ),
)


@strawberry.input(description="A sitting of reading one of the viewer's books.")
class LogReadingSessionInput:
    book_id: strawberry.ID = strawberry.field(description="The book read (`Book.id`).")
    pages_read: Annotated[int, rules.PAGES_READ] = strawberry.field(
        description="Pages read in this sitting, no more than the pages left."
    )
    duration_minutes: Annotated[int | None, rules.SESSION_MINUTES] = strawberry.field(
        default=None, description="How long the sitting lasted, in minutes."
    )
    notes: Annotated[str | None, rules.NOTES] = strawberry.field(
        default=None, description="Notes on the sitting."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@mutation(
    description="Log a reading session: the book's `currentPage` advances (never past "
    f"`totalPages`), paid through the points ledger (an XP every {rules.PAGES_PER_XP} pages, a "
    f"coin every {rules.PAGES_PER_COIN}), the pages count for the reading quests, achievements "
    "evaluated.",
    returns={
        "session": "reading_sessions",
        "book": "books",
        "wallet": "user_wallet",
        "unlocked_achievements": ["user_achievements"],
    },
    errors=(NotFound, InvalidState),
    idempotent=True,
)
async def log_reading_session(tx: Tx, input: LogReadingSessionInput) -> Ids:
    done = await transitions.log_reading_session(
        tx.conn,
        tx.viewer.user_id,
        id_arg(input.book_id, "input.bookId"),
        pages_read=input.pages_read,
        duration_minutes=input.duration_minutes,
        notes=input.notes,
    )
    return {
        "session": done.session_id,
        "book": done.book_id,
        "wallet": done.wallet_id,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
    }


@mutation(
    description="Finish a book: it becomes COMPLETED (for good), once, paid through the points "
    f"ledger ({rules.FINISH_XP} XP, {rules.FINISH_COINS} coins, a Knowledge star), the "
    "finished-books achievements evaluated.",
    returns={
        "book": "books",
        "wallet": "user_wallet",
        "unlocked_achievements": ["user_achievements"],
    },
    errors=(NotFound, InvalidState),
    idempotent=True,
)
async def finish_book(tx: Tx, id: BookId, idempotency_key: IdempotencyKey) -> Ids:
    done = await transitions.finish_book(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    return {
        "book": done.book_id,
        "wallet": done.wallet_id,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
    }
