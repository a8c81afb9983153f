"""Events: the transactional outbox (read by the subscription relay)."""

import sqlalchemy as sa

from schema.core.spec import Domain, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec(
            "event_outbox",
            public_when=lambda t: sa.false(),
            order=("-id",),
        ),
    ),
)
