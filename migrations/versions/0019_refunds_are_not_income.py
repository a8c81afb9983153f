"""user_wallet totals: a refund is not income

A refund (ledger ``event_type`` ``market.refund``) gives back coins that were spent: it now
lowers ``total_spent`` instead of raising ``total_earned`` (db/gamification/ledger.py,
``wallet_totals``), so ``total_earned`` and the coins-earned achievements count awards only.
This revision restates the totals of the wallets that had refunds; ``coins`` and
``total_earned - total_spent`` do not change. Achievements already unlocked stay unlocked.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RESTATE = """
UPDATE user_wallet w
SET total_earned = w.total_earned {sign} r.coins, total_spent = w.total_spent {sign} r.coins
FROM (SELECT user_id, sum(coins) AS coins FROM points_ledger
      WHERE event_type = 'market.refund' GROUP BY user_id) r
WHERE r.user_id = w.user_id
"""


def upgrade() -> None:
    op.execute(_RESTATE.format(sign="-"))


def downgrade() -> None:
    op.execute(_RESTATE.format(sign="+"))
