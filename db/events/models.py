"""The event outbox (DESIGN.md section 5): a transition that others must hear about inserts a
row in its own transaction; NOTIFY carries only the new id and fires at commit, and listeners
read rows after the last id they delivered (``(user_id, id)`` serves per-viewer replay).

New in this schema (not in spec/004). ``id`` is a BIGINT identity and the replay cursor;
``user_id`` is NULL for events addressed to everyone.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Identity, Index
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, Base, CreatedAt, user_fk


class OutboxEvent(Base):
    """One published event: ``topic`` (e.g. ``achievement.unlocked``) and its JSON payload."""

    __tablename__ = "event_outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    topic: Mapped[str]
    user_id: Mapped[uuid.UUID | None] = user_fk(nullable=True, index=False, reverse="outboxEvents")
    payload: Mapped[JSON] = mapped_column(server_default="{}")
    created_at: Mapped[CreatedAt]

    __table_args__ = (Index("ix_event_outbox_user_id_id", "user_id", "id"),)
