"""The event outbox and the idempotency keys (DESIGN.md sections 3 and 5).

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
    """One published event: ``topic`` (e.g. ``achievement.unlocked``) and its JSON payload."""

    __tablename__ = "event_outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    topic: Mapped[str]
    user_id: Mapped[uuid.UUID | None] = user_fk(nullable=True, index=False, reverse="outboxEvents")
    payload: Mapped[JSON] = mapped_column(server_default="{}")
    txid: Mapped[int] = mapped_column(
        XID8(), server_default=text("pg_current_xact_id()"), info={"secret": True}
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        Index("ix_event_outbox_txid_id", "txid", "id"),
        Index("ix_event_outbox_user_id_txid_id", "user_id", "txid", "id"),
    )


class IdempotencyKey(Base):
    """The record of one idempotent mutation call: who, which key, what was asked
    (``operation`` and the SHA-256 ``fingerprint`` of its arguments) and what came of it
    (``outcome``: the ids of the changed rows, or the domain error)."""

    __tablename__ = "idempotency_keys"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    key: Mapped[str]
    operation: Mapped[str]
    fingerprint: Mapped[str]
    outcome: Mapped[JSON | None]
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        CheckConstraint("char_length(key) BETWEEN 1 AND 255", name="key_length"),
        Index("ix_idempotency_keys_created_at", "created_at"),
        {"info": {"graphql": False}},
    )
