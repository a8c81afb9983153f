"""idempotency keys; commit-order-safe outbox (txid)

Adds ``idempotency_keys`` (docs/design.md#idempotency) and records the inserting transaction of
each ``event_outbox`` row (``txid xid8 DEFAULT pg_current_xact_id()``), indexed for the relay's
``(txid, id)`` order and the per-user replay (docs/design.md#events-and-the-outbox).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from db.events.models import XID8

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("outcome", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "char_length(key) BETWEEN 1 AND 255", name=op.f("ck_idempotency_keys_key_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_keys_user_id_key")),
    )
    op.create_index(
        "ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"], unique=False
    )
    op.add_column(
        "event_outbox",
        sa.Column("txid", XID8(), server_default=sa.text("pg_current_xact_id()"), nullable=False),
    )
    op.drop_index("ix_event_outbox_user_id_id", table_name="event_outbox")
    op.create_index("ix_event_outbox_txid_id", "event_outbox", ["txid", "id"], unique=False)
    op.create_index(
        "ix_event_outbox_user_id_txid_id",
        "event_outbox",
        ["user_id", "txid", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_event_outbox_user_id_txid_id", table_name="event_outbox")
    op.drop_index("ix_event_outbox_txid_id", table_name="event_outbox")
    op.create_index("ix_event_outbox_user_id_id", "event_outbox", ["user_id", "id"], unique=False)
    op.drop_column("event_outbox", "txid")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
