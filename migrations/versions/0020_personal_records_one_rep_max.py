"""personal_records.record_type: ``one_rep_max``, the best estimated one-repetition maximum

Logged sets update a user's personal records (``db/fitness/transitions.py``); besides the
heaviest weight, the most repetitions, the longest duration and the largest volume, a record
keeps the best one-repetition maximum estimated by Epley's formula (``db/fitness/rules.py``).
The CHECK of the enum-like column gains the value, and the column (a VARCHAR as long as
the longest value) grows to 11 characters.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.elements import conv

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = conv("ck_personal_records_personalrecordtype")


def _check(values: tuple[str, ...]) -> None:
    op.drop_constraint(_NAME, "personal_records", type_="check")
    listed = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint(_NAME, "personal_records", f"record_type IN ({listed})")


def upgrade() -> None:
    op.alter_column("personal_records", "record_type", type_=sa.String(11), existing_nullable=False)
    _check(("weight", "reps", "time", "volume", "one_rep_max"))


def downgrade() -> None:
    op.execute("DELETE FROM personal_records WHERE record_type = 'one_rep_max'")
    _check(("weight", "reps", "time", "volume"))
    op.alter_column("personal_records", "record_type", type_=sa.String(6), existing_nullable=False)
