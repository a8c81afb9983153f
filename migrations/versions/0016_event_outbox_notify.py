"""outbox wake-ups: NOTIFY at commit; created_at index for pruning

An ``AFTER INSERT ... FOR EACH STATEMENT`` trigger on ``event_outbox`` calls
``pg_notify('ignition_events', '')``. PostgreSQL delivers notifications at commit (none for a
rolled-back transaction) and folds identical ones of one transaction into one, so a
transaction that publishes many events wakes the relays once. The notification is only a hint:
the relay reads the outbox itself in commit-safe order (docs/design.md#events-and-the-outbox).

A session that sets ``ignition.event_notify = 'off'`` (the gateway's pool does when
``IGNITION_EVENT_BACKEND`` is a Redis URL) skips the NOTIFY and its commit-time lock; its
writers wake the relays through Redis after commit instead.

``ix_event_outbox_created_at`` serves the retention prune (``IGNITION_EVENT_RETENTION_S``).

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION event_outbox_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('ignition.event_notify', true), '') <> 'off' THEN
                PERFORM pg_notify('ignition_events', '');
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER event_outbox_notify
        AFTER INSERT ON event_outbox
        FOR EACH STATEMENT EXECUTE FUNCTION event_outbox_notify()
        """
    )
    op.create_index("ix_event_outbox_created_at", "event_outbox", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_event_outbox_created_at", table_name="event_outbox")
    op.execute("DROP TRIGGER event_outbox_notify ON event_outbox")
    op.execute("DROP FUNCTION event_outbox_notify()")
