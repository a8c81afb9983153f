"""The event outbox and the idempotency keys (docs/design.md#idempotency and
docs/design.md#events-and-the-outbox).

``event_outbox``: a transition that others must hear about inserts a row in its own transaction.
Identity ids are handed out at insert, not at commit, so a reader that follows ``id > last``
misses a row whose transaction commits after a higher id's did. Each row therefore records the
inserting transaction (``txid``, ``xid8``, ``pg_current_xact_id()``); the relay reads only rows
of transactions older than its snapshot's ``xmin`` (every such transaction has ended), in
``(txid, id)`` order, which is commit-safe (Emmett's approach; ``docs/decisions.md``).
``user_id`` is NULL for events addressed to everyone.

``idempotency_keys``: one row per (user, key) of a mutation that awards or spends, with the
fingerprint of its arguments and its outcome, written in the mutation's own transaction
(Stripe's semantics; :mod:`db.events.idempotency`). Not exposed through GraphQL.

``persisted_queries``: the documents registered by automatic persisted queries (Apollo's
protocol; :mod:`db.events.persisted`), keyed by the SHA-256 of their text, shared by every
gateway process. Not exposed through GraphQL.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Identity, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from db.base import JSON, UUIDPK, Base, CreatedAt, user_fk


class XID8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id type (``xid8``, PostgreSQL 13+), read as an int."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"

    def bind_processor(self, dialect: Any) -> Any:
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        return lambda value: None if value is None else int(value)


# Reflection (``alembic check``) knows the type by this name.
ischema_names["xid8"] = XID8


class OutboxEvent(Base):
    """An event a transition published (e.g. `achievement.unlocked`), in commit order;
    subscriptions deliver these."""

    __tablename__ = "event_outbox"

    id: Mapped[int] = mapped_column(
        BigInteger,
        Identity(),
        primary_key=True,
        doc="The event's number: it grows with each event (not necessarily in commit order).",
    )
    topic: Mapped[str] = mapped_column(
        doc="What happened, as `domain.thing.happened` (e.g. `focus.session.completed`)."
    )
    user_id: Mapped[uuid.UUID | None] = user_fk(
        nullable=True,
        index=False,
        reverse="outboxEvents",
        doc="The user the event concerns; null for events of no one user.",
    )
    payload: Mapped[JSON] = mapped_column(server_default="{}", doc="The event's data, as JSON.")
    txid: Mapped[int] = mapped_column(
        XID8(), server_default=text("pg_current_xact_id()"), info={"secret": True}
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        Index("ix_event_outbox_txid_id", "txid", "id"),
        Index("ix_event_outbox_user_id_txid_id", "user_id", "txid", "id"),
        # The retention prune (revision 0016; gateway.events.relay).
        Index("ix_event_outbox_created_at", "created_at"),
    )


class IdempotencyKey(Base):
    """The record of one idempotent mutation call: who, which key, what was asked and what came
    out; a replay with the same key returns this outcome."""

    __tablename__ = "idempotency_keys"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(
        index=False, doc="The user who made the call (deleting the user deletes it)."
    )
    key: Mapped[str] = mapped_column(
        doc="The idempotency key the client sent (1-255 characters, unique per user)."
    )
    operation: Mapped[str] = mapped_column(doc="The mutation called (e.g. `purchaseMarketItem`).")
    fingerprint: Mapped[str] = mapped_column(
        doc="The SHA-256 of the call's arguments, to spot a key reused with other arguments."
    )
    outcome: Mapped[JSON | None] = mapped_column(
        doc="The result returned, as JSON; null while the first call is still running."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        CheckConstraint("char_length(key) BETWEEN 1 AND 255", name="key_length"),
        Index("ix_idempotency_keys_created_at", "created_at"),
        {"info": {"graphql": False}},
    )


class PersistedQuery(Base):
    """A GraphQL document registered by an automatic persisted query: a client sends its
    SHA-256 alone from then on (docs/design.md#persisted-queries)."""

    __tablename__ = "persisted_queries"

    sha256: Mapped[str] = mapped_column(
        primary_key=True, doc="The SHA-256 of the document's text, as 64 lowercase hex digits."
    )
    document: Mapped[str] = mapped_column(doc="The document's text, as the client sent it.")
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        {"info": {"graphql": False}},
    )
