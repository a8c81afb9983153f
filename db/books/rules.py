"""The book rules that need no database: the limits of a book's fields, which status changes a
client may make, how far a reading session may advance a book, and what reading pays.

Pure functions, called by the transitions (:mod:`db.books.transitions`) and by the demo
generator, so both follow one rule. The reward rule is this repository's (the specification
gives reading sessions ``xp_awarded``/``coins_awarded`` columns and no amounts; recorded in
docs/decisions.md, "Books, goals and plans"):

- a reading session pays one XP per :data:`PAGES_PER_XP` whole pages read and one coin per
  :data:`PAGES_PER_COIN` (10 pages: 5 XP, 1 coin); pages are bounded by the book, so a book
  of ``n`` pages pays at most ``n // 2`` XP in sessions;
- finishing a book pays :data:`FINISH_XP` XP, :data:`FINISH_COINS` coins and
  :data:`FINISH_STARS` star of :data:`READING_SKILL` ("Knowledge: ... books read"), once per
  book.

Status: ``completed`` is reached only through ``finishBook`` (which pays) and is final; a
client sets the others freely. A reading session moves a ``want_to_read`` or ``paused`` book
to ``reading``; a ``completed`` or ``dropped`` book takes no sessions.
"""

from __future__ import annotations

from db.books.models import BookStatus
from db.errors import InvalidInput, InvalidState
from db.fields import Choice, Number, Ref, Rule, Text
from db.gamification.payout import Reward

#: A reading session pays one XP per this many whole pages.
PAGES_PER_XP = 2
#: A reading session pays one coin per this many whole pages.
PAGES_PER_COIN = 10
#: What finishing a book pays: XP, coins and stars of :data:`READING_SKILL`.
FINISH_XP = 30
FINISH_COINS = 15
FINISH_STARS = 1
#: The skill reading trains (the skill catalog: "Knowledge ... books read").
READING_SKILL = "knowledge"

#: Longest title, author and notes, in characters.
MAX_TITLE = 300
MAX_AUTHOR = 200
MAX_NOTES = 10_000
#: The most pages a book may have (and a session may log).
MAX_PAGES = 100_000
#: The longest reading session, in minutes (a day).
MAX_SESSION_MINUTES = 1_440

#: The statuses a client may set with createBook/updateBook (``completed`` is finishBook's).
SETTABLE_STATUSES = frozenset(
    {BookStatus.WANT_TO_READ, BookStatus.READING, BookStatus.PAUSED, BookStatus.DROPPED}
)

#: The rules of the book inputs (:mod:`db.fields`: the mutations declare them as the inputs'
#: bounds, the transitions check them).
TITLE = Text(MAX_TITLE, min=1, nullable=False)
AUTHOR = Text(MAX_AUTHOR)
NOTES = Text(MAX_NOTES)
TOTAL_PAGES = Number(1, MAX_PAGES, nullable=True)
CURRENT_PAGE = Number(0, MAX_PAGES)
RATING = Number(1, 5, nullable=True)
PAGES_READ = Number(1, MAX_PAGES)
SESSION_MINUTES = Number(0, MAX_SESSION_MINUTES, nullable=True)

#: ``books`` columns a client sets (createBook and updateBook).
BOOK_FIELDS: dict[str, Rule] = {
    "title": TITLE,
    "author": AUTHOR,
    "total_pages": TOTAL_PAGES,
    "current_page": CURRENT_PAGE,
    "status": Choice(BookStatus, allowed=SETTABLE_STATUSES),
    "rating": RATING,
    "notes": NOTES,
    "cover_blob_id": Ref(),
}
#: ``reading_sessions`` columns a client sets (logReadingSession).
SESSION_FIELDS: dict[str, Rule] = {
    "pages_read": PAGES_READ,
    "duration_minutes": SESSION_MINUTES,
    "notes": NOTES,
}

#: The statuses in which a book takes reading sessions.
READABLE_STATUSES = frozenset({BookStatus.WANT_TO_READ, BookStatus.READING, BookStatus.PAUSED})


def session_reward(pages: int) -> Reward:
    """The reward of a reading session of ``pages`` pages (see the module docstring)."""
    return Reward(xp=pages // PAGES_PER_XP, coins=pages // PAGES_PER_COIN)


def finish_reward() -> Reward:
    """The reward of finishing a book (once per book)."""
    return Reward(FINISH_XP, FINISH_COINS, FINISH_STARS, READING_SKILL)


def check_pages(total_pages: int | None, current_page: int) -> None:
    """Refuse a current page past the end of the book.

    Raises:
        InvalidInput: ``field`` ``input.currentPage``.
    """
    if total_pages is not None and current_page > total_pages:
        raise InvalidInput(
            f"The book has {total_pages} pages: `currentPage` cannot be past them.",
            field="input.currentPage",
        )


def check_status_change(current: str, new: str) -> None:
    """Refuse to change the status of a completed book (finishing is final).

    Raises:
        InvalidState: ``status`` ``completed``.
    """
    if current == BookStatus.COMPLETED and new != BookStatus.COMPLETED:
        raise InvalidState("A finished book stays finished.", status=BookStatus.COMPLETED.value)


def advance(
    status: str, current_page: int, total_pages: int | None, pages_read: int
) -> tuple[int, BookStatus]:
    """Where a reading session of ``pages_read`` pages leaves a book: ``(current_page,
    status)``.

    Raises:
        InvalidState: the book is ``completed`` or ``dropped`` (``status`` its status).
        InvalidInput: more pages than are left in the book (``field`` ``input.pagesRead``; a
            book without ``total_pages`` ends at :data:`MAX_PAGES`, so no counter overflows).
    """
    if status not in READABLE_STATUSES:
        raise InvalidState(f"A {status} book takes no reading sessions.", status=status)
    page = current_page + pages_read
    end = total_pages if total_pages is not None else MAX_PAGES
    if page > end:
        raise InvalidInput(
            f"Only {end - current_page} pages are left in this book.", field="input.pagesRead"
        )
    return page, BookStatus.READING


#: The event (ledger ``event_type`` and activity event) of a reading session.
SESSION_EVENT = "reading.session.logged"
#: The event of a finished book.
FINISH_EVENT = "book.completed"


def session_ledger_key(session_id: object) -> str:
    """The ledger key of a reading session's reward: ``reading.session.logged:<session
    id>``."""
    return f"{SESSION_EVENT}:{session_id}"


def finish_ledger_key(book_id: object) -> str:
    """The ledger key of a finished book's reward: ``book.completed:<book id>`` (once per
    book)."""
    return f"{FINISH_EVENT}:{book_id}"


__all__ = [
    "AUTHOR",
    "BOOK_FIELDS",
    "CURRENT_PAGE",
    "FINISH_COINS",
    "FINISH_EVENT",
    "FINISH_STARS",
    "FINISH_XP",
    "MAX_AUTHOR",
    "MAX_NOTES",
    "MAX_PAGES",
    "MAX_SESSION_MINUTES",
    "MAX_TITLE",
    "NOTES",
    "PAGES_PER_COIN",
    "PAGES_PER_XP",
    "PAGES_READ",
    "RATING",
    "READABLE_STATUSES",
    "READING_SKILL",
    "SESSION_EVENT",
    "SESSION_FIELDS",
    "SESSION_MINUTES",
    "SETTABLE_STATUSES",
    "TITLE",
    "TOTAL_PAGES",
    "advance",
    "check_pages",
    "check_status_change",
    "finish_ledger_key",
    "finish_reward",
    "session_ledger_key",
    "session_reward",
]
