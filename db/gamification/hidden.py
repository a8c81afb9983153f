"""Hidden achievements (Ignition specification, "Section 4: Gamification Tables":
``is_hidden``, "Hidden until earned"): a user who has not
unlocked one sees that it exists, but not its name, description or trigger (its type and
threshold).

What the API reads for these columns of an ``achievement_definitions`` row is therefore an
SQL expression of the row and the viewer (:func:`masked_columns`): the stored value when the
achievement is not hidden or the viewer unlocked it, else :data:`HIDDEN_NAME`, null, null and
``{}`` (:data:`MASKED_NULL` lists the columns answered null, nullable fields in the API).
Both read paths of the API select these expressions (``schema/gamification``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from db import metadata

#: What a hidden achievement is called until the viewer unlocks it.
HIDDEN_NAME = "Hidden achievement"
#: Not-null columns a hidden achievement answers null for (their API fields are nullable).
MASKED_NULL = ("trigger_type",)

_unlocks = metadata.tables["user_achievements"]


def revealed(
    definitions: sa.FromClause, viewer_id: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool]:
    """SQL: the row of ``definitions`` (the table or an alias) is shown in full to the user
    ``viewer_id`` (a bind parameter; null for a signed-out viewer): it is not hidden, or that
    user unlocked it."""
    unlocked = sa.exists().where(
        _unlocks.c.achievement_key == definitions.c.key, _unlocks.c.user_id == viewer_id
    )
    return sa.or_(sa.not_(definitions.c.is_hidden), unlocked)


def masked_columns(
    viewer_id: Callable[[], sa.ColumnElement[Any]],
) -> dict[str, Callable[[sa.FromClause], sa.ColumnElement[Any]]]:
    """Column name -> the expression read for it (see the module docstring); ``viewer_id``
    builds the viewer's bind parameter."""

    def mask(column: str, placeholder: sa.ColumnElement[Any]) -> Callable[[sa.FromClause], Any]:
        def build(definitions: sa.FromClause) -> sa.ColumnElement[Any]:
            return sa.case(
                (revealed(definitions, viewer_id()), definitions.c[column]), else_=placeholder
            )

        return build

    return {
        "name": mask("name", sa.literal(HIDDEN_NAME)),
        "description": mask("description", sa.null()),
        "trigger_type": mask("trigger_type", sa.null()),
        "trigger_config": mask("trigger_config", sa.literal({}, type_=JSONB)),
    }


__all__ = ["HIDDEN_NAME", "MASKED_NULL", "masked_columns", "revealed"]
