"""Book mutations: create, update (only the given fields), delete, reading sessions (pages
bounded by the book, paid through the ledger, the ``pages_read`` quests advanced) and
finishing a book (once, ``first_book_finished`` unlocked); every typed error leaves the
database as it was; another user's books are absent; idempotency keys replay."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.books.rules import FINISH_COINS, FINISH_XP, session_reward
from gateway.auth import Viewer
from tests.factories import committed_quest
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user
from tests.support.writes import errors, payload_of, row, unchanged, value

CREATE = f"""
mutation($input: CreateBookInput!) {{
  createBook(input: $input) {{
    __typename
    ... on CreateBookSuccess {{
      book {{ id title author totalPages currentPage status rating startedAt }}
    }}
    {errors("InvalidInput")}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateBookInput!) {{
  updateBook(id: $id, input: $input) {{
    __typename
    ... on UpdateBookSuccess {{
      book {{ id title author totalPages currentPage status rating notes }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deleteBook(id: $id) {{
    __typename
    ... on DeleteBookSuccess {{ deletedBookId }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
READ = f"""
mutation($input: LogReadingSessionInput!) {{
  logReadingSession(input: $input) {{
    __typename
    ... on LogReadingSessionSuccess {{
      session {{ id pagesRead durationMinutes xpAwarded coinsAwarded }}
      book {{ currentPage status }}
      wallet {{ coins }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState", "IdempotencyKeyReused")}
  }}
}}
"""
FINISH = f"""
mutation($id: ID!, $key: String!) {{
  finishBook(id: $id, idempotencyKey: $key) {{
    __typename
    ... on FinishBookSuccess {{
      book {{ id status currentPage completedAt }}
      wallet {{ coins }}
      unlockedAchievements {{ achievementKey }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
ACCEPT = """
mutation($id: ID!) { acceptQuest(questId: $id) { __typename } }
"""


async def _create(mutate: Mutate, viewer: Viewer, **fields: Any) -> str:
    payload = await payload_of(mutate, CREATE, {"input": {"title": "Dune", **fields}}, viewer)
    assert payload["__typename"] == "CreateBookSuccess", payload
    return str(payload["book"]["id"])


def _read(book: str, pages: int, key: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "input": {
            "bookId": book,
            "pagesRead": pages,
            "idempotencyKey": key or uuid.uuid4().hex,
            **more,
        }
    }


# ---- create / update / delete -------------------------------------------------------------


async def test_create_book_and_its_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    payload = await payload_of(
        mutate,
        CREATE,
        {"input": {"title": "  Dune ", "author": "Frank Herbert", "totalPages": 600}},
        viewer,
    )
    book = payload["book"]
    assert (book["title"], book["currentPage"], book["status"]) == ("Dune", 0, "READING")
    assert book["startedAt"] is not None
    later = await payload_of(
        mutate, CREATE, {"input": {"title": "Emma", "status": "WANT_TO_READ"}}, viewer
    )
    assert later["book"]["startedAt"] is None
    refusals = [
        ({"title": " "}, "input.title"),
        ({"title": "x" * 301}, "input.title"),
        ({"title": "A", "author": "x" * 201}, "input.author"),
        ({"title": "A", "totalPages": 0}, "input.totalPages"),
        ({"title": "A", "totalPages": 100_001}, "input.totalPages"),
        ({"title": "A", "currentPage": -1}, "input.currentPage"),
        ({"title": "A", "totalPages": 10, "currentPage": 11}, "input.currentPage"),
        ({"title": "A", "rating": 0}, "input.rating"),
        ({"title": "A", "rating": 6}, "input.rating"),
        ({"title": "A", "status": "COMPLETED"}, "input.status"),
        ({"title": "A", "notes": "x" * 10_001}, "input.notes"),
        ({"title": "A", "coverBlobId": "not-a-uuid"}, "input.coverBlobId"),
    ]
    for fields, field in refusals:
        refused = await unchanged(engine, mutate, CREATE, {"input": fields}, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields


async def test_update_changes_only_the_given_fields(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    book = await _create(mutate, viewer, author="Herbert", totalPages=600, rating=4)
    payload = await payload_of(
        mutate, UPDATE, {"id": book, "input": {"author": None, "currentPage": 120}}, viewer
    )
    updated = payload["book"]
    assert (updated["title"], updated["author"], updated["currentPage"], updated["rating"]) == (
        "Dune",
        None,
        120,
        4,
    )
    for fields, field in (
        ({"title": None}, "input.title"),
        ({"status": None}, "input.status"),
        ({"totalPages": 100}, "input.currentPage"),  # page 120 stored: past the new end
        ({"currentPage": 601}, "input.currentPage"),
        ({"status": "COMPLETED"}, "input.status"),
        ({"rating": 9}, "input.rating"),
    ):
        refused = await unchanged(engine, mutate, UPDATE, {"id": book, "input": fields}, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields
    stranger = await committed_user(engine)
    hidden = await unchanged(
        engine, mutate, UPDATE, {"id": book, "input": {"title": "Mine"}}, stranger
    )
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "Book")
    await payload_of(mutate, FINISH, {"id": book, "key": "done"}, viewer)
    final = await unchanged(
        engine, mutate, UPDATE, {"id": book, "input": {"status": "READING"}}, viewer
    )
    assert (final["__typename"], final["status"]) == ("InvalidState", "completed")
    renamed = await payload_of(mutate, UPDATE, {"id": book, "input": {"notes": "Spice"}}, viewer)
    assert (renamed["book"]["notes"], renamed["book"]["status"]) == ("Spice", "COMPLETED")


async def test_delete_book_with_its_sessions(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    book = await _create(mutate, viewer, totalPages=100)
    await payload_of(mutate, READ, _read(book, 20), viewer)
    stranger = await committed_user(engine)
    hidden = await unchanged(engine, mutate, DELETE, {"id": book}, stranger)
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "Book")
    malformed = await unchanged(engine, mutate, DELETE, {"id": "nope"}, viewer)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "id")
    deleted = await payload_of(mutate, DELETE, {"id": book}, viewer)
    assert deleted["deletedBookId"] == book
    assert (
        await value(engine, "SELECT count(*) FROM reading_sessions WHERE book_id = :b", b=book) == 0
    )
    # The reward of the session stays paid.
    assert (
        await value(engine, "SELECT coins FROM user_wallet WHERE user_id = :u", u=viewer.user_id)
        == 2
    )
    again = await unchanged(engine, mutate, DELETE, {"id": book}, viewer)
    assert again["__typename"] == "NotFound"


# ---- reading sessions ---------------------------------------------------------------------


async def test_reading_session_pays_and_advances(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    quest = await value(engine, "SELECT id FROM universal_quests WHERE title = 'Read 10 pages'")
    await payload_of(mutate, ACCEPT, {"id": str(quest)}, viewer)
    book = await _create(mutate, viewer, totalPages=300, status="WANT_TO_READ")
    payload = await payload_of(
        mutate, READ, _read(book, 25, "first", durationMinutes=40, notes="Ch. 1-2"), viewer
    )
    assert payload["__typename"] == "LogReadingSessionSuccess", payload
    reward = session_reward(25)
    assert (reward.xp, reward.coins) == (12, 2)
    assert payload["session"]["pagesRead"] == 25
    assert (payload["session"]["xpAwarded"], payload["session"]["coinsAwarded"]) == (12, 2)
    assert payload["book"] == {"currentPage": 25, "status": "READING"}
    assert payload["wallet"]["coins"] == 2
    ledger = await row(
        engine,
        "SELECT xp, coins, event_type, idempotency_key FROM points_ledger WHERE user_id = :u "
        "AND event_type = 'reading.session.logged'",
        u=viewer.user_id,
    )
    assert (ledger.xp, ledger.coins) == (12, 2)
    assert ledger.idempotency_key == f"reading.session.logged:{payload['session']['id']}"
    progress = await row(
        engine,
        "SELECT progress, status FROM user_quest_progress WHERE user_id = :u AND quest_id = :q",
        u=viewer.user_id,
        q=quest,
    )
    assert (progress.progress, progress.status) == (10, "completed")
    assert (
        await value(
            engine,
            "SELECT current_streak FROM user_streaks WHERE user_id = :u "
            "AND streak_type = 'daily_activity'",
            u=viewer.user_id,
        )
        == 1
    )
    # A replay of the key: the same session, nothing more written.
    replay = await unchanged(
        engine, mutate, READ, _read(book, 25, "first", durationMinutes=40, notes="Ch. 1-2"), viewer
    )
    assert replay["session"]["id"] == payload["session"]["id"]
    reused = await unchanged(engine, mutate, READ, _read(book, 5, "first"), viewer)
    assert (reused["__typename"], reused["key"]) == ("IdempotencyKeyReused", "first")


async def test_reading_session_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    book = await _create(mutate, viewer, totalPages=50, currentPage=40)
    for fields, field in (
        (_read(book, 11), "input.pagesRead"),  # 10 pages left
        (_read(book, 0), "input.pagesRead"),
        (_read(book, -3), "input.pagesRead"),
        (_read(book, 100_001), "input.pagesRead"),
        (_read(book, 1, durationMinutes=-1), "input.durationMinutes"),
        (_read(book, 1, durationMinutes=1441), "input.durationMinutes"),
        (_read(book, 1, notes="x" * 10_001), "input.notes"),
        (_read("x", 1), "input.bookId"),
    ):
        refused = await unchanged(engine, mutate, READ, fields, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields
    stranger = await committed_user(engine)
    hidden = await unchanged(engine, mutate, READ, _read(book, 1), stranger)
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "Book")
    last = await payload_of(mutate, READ, _read(book, 10), viewer)
    assert last["book"]["currentPage"] == 50
    dropped = await _create(mutate, viewer, status="DROPPED")
    refused = await unchanged(engine, mutate, READ, _read(dropped, 1), viewer)
    assert (refused["__typename"], refused["status"]) == ("InvalidState", "dropped")
    await payload_of(mutate, FINISH, {"id": book, "key": "end"}, viewer)
    finished = await unchanged(engine, mutate, READ, _read(book, 1), viewer)
    assert (finished["__typename"], finished["status"]) == ("InvalidState", "completed")


async def test_a_session_that_earns_nothing_writes_no_ledger_row(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    book = await _create(mutate, viewer, totalPages=10)
    payload = await payload_of(mutate, READ, _read(book, 1), viewer)
    assert (payload["session"]["xpAwarded"], payload["session"]["coinsAwarded"]) == (0, 0)
    assert (payload["book"]["currentPage"], payload["wallet"]["coins"]) == (1, 0)
    ledger = "SELECT count(*) FROM points_ledger WHERE user_id = :u"
    assert await value(engine, ledger, u=viewer.user_id) == 0


async def test_a_book_without_pages_reads_on(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    book = await _create(mutate, viewer, status="PAUSED")
    payload = await payload_of(mutate, READ, _read(book, 500), viewer)
    assert payload["book"] == {"currentPage": 500, "status": "READING"}
    assert (payload["session"]["xpAwarded"], payload["session"]["coinsAwarded"]) == (250, 50)
    # Without a page count the book ends at 100,000 pages: no counter can overflow.
    await payload_of(mutate, READ, _read(book, 99_500), viewer)
    past = await unchanged(engine, mutate, READ, _read(book, 1), viewer)
    assert (past["__typename"], past["field"]) == ("InvalidInput", "input.pagesRead")


# ---- finishing ----------------------------------------------------------------------------


async def test_finish_book_pays_once_and_unlocks(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    book = await _create(mutate, viewer, totalPages=320, currentPage=300)
    stranger = await committed_user(engine)
    hidden = await unchanged(engine, mutate, FINISH, {"id": book, "key": "k"}, stranger)
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "Book")
    payload = await payload_of(mutate, FINISH, {"id": book, "key": "k"}, viewer)
    assert payload["__typename"] == "FinishBookSuccess", payload
    assert (payload["book"]["status"], payload["book"]["currentPage"]) == ("COMPLETED", 320)
    assert payload["book"]["completedAt"] is not None
    assert [u["achievementKey"] for u in payload["unlockedAchievements"]] == ["first_book_finished"]
    reward_coins = await value(
        engine,
        "SELECT reward_coins FROM achievement_definitions WHERE key = 'first_book_finished'",
    )
    assert payload["wallet"]["coins"] == FINISH_COINS + reward_coins
    ledger = await row(
        engine,
        "SELECT xp, coins, skill_stars, skill_key FROM points_ledger WHERE user_id = :u "
        "AND idempotency_key = :k",
        u=viewer.user_id,
        k=f"book.completed:{book}",
    )
    assert tuple(ledger) == (FINISH_XP, FINISH_COINS, 1, "knowledge")
    replay = await unchanged(engine, mutate, FINISH, {"id": book, "key": "k"}, viewer)
    assert replay == payload
    twice = await unchanged(engine, mutate, FINISH, {"id": book, "key": "other"}, viewer)
    assert (twice["__typename"], twice["status"]) == ("InvalidState", "completed")
    assert (
        await value(
            engine,
            "SELECT count(*) FROM points_ledger WHERE user_id = :u "
            "AND event_type = 'book.completed'",
            u=viewer.user_id,
        )
        == 1
    )


async def test_quest_filters_see_the_pages(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    async with committed_quest(
        engine,
        title=f"A long sitting {uuid.uuid4().hex[:6]}",
        type="weekly",
        target=30,
        target_type="pages_read",
        target_config={"min_pages": 30},
    ) as quest:
        await payload_of(mutate, ACCEPT, {"id": str(quest)}, viewer)
        book = await _create(mutate, viewer)
        await payload_of(mutate, READ, _read(book, 29), viewer)
        progress = "SELECT progress FROM user_quest_progress WHERE user_id = :u AND quest_id = :q"
        assert await value(engine, progress, u=viewer.user_id, q=quest) == 0
        await payload_of(mutate, READ, _read(book, 30), viewer)
        assert await value(engine, progress, u=viewer.user_id, q=quest) == 30
