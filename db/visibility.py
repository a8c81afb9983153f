"""Who may see which rows: the one statement of the read visibility rule.

Both read paths build their predicates here: the DataLoaders (``schema/core/loaders.py``) and
the query compiler (``schema/compiler``), so the general path and the compiled path cannot
disagree on what a viewer sees (docs/design.md#visibility, "another user's rows are
invisible").

The rule is written over :class:`Guarded`, what a table declares about its rows (the GraphQL
catalog's ``TableInfo`` is one), so that this module needs nothing above ``db``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa

from db.auth.viewer import READ_ALL_ROWS, Viewer


class Visibility(StrEnum):
    """Who may see a table's rows (docs/design.md#graphql-conventions: another user's rows are
    absent)."""

    #: Catalog rows: everybody, signed in or not.
    PUBLIC = "public"
    #: Rows whose ``user_id`` is the viewer (or, with a ``public_when`` predicate, also the
    #: shared rows, e.g. built-in exercises whose ``user_id`` is NULL).
    OWNER = "owner"
    #: Rows reachable through an owned parent (``goal_milestones`` through ``goals``).
    VIA_PARENT = "via_parent"
    #: The viewer's own ``users`` row.
    SELF = "self"
    #: Only viewers holding the table's ``read_entitlement`` or ``rows:read_all``
    #: (``audit_log``, ``verification_tokens``).
    ADMIN = "admin"


class Guarded(Protocol):
    """What the rule reads of a table.

    Attributes:
        table: the table.
        visibility: its kind of rows.
        owner_fk: with ``VIA_PARENT``, the foreign key column that leads to the owned parent
            (with ``OWNER``, None: the owner is ``user_id``).
        read_entitlement: holders of it see every row (None: no such entitlement).
        public_when: with ``OWNER``, the predicate of the rows everybody may see (None: rows
            whose nullable ``user_id`` is NULL, or none when it is not nullable).
    """

    @property
    def table(self) -> sa.Table: ...

    @property
    def visibility(self) -> Visibility: ...

    @property
    def owner_fk(self) -> sa.Column[Any] | None: ...

    @property
    def read_entitlement(self) -> str | None: ...

    @property
    def public_when(self) -> Callable[[sa.Table], sa.ColumnElement[bool]] | None: ...


#: The table a foreign key leads to, as a :class:`Guarded` (the catalog's lookup).
ParentOf = Callable[[sa.Column[Any]], Guarded]


def widening_entitlements(tables: Any) -> frozenset[str]:
    """The entitlements that change what a viewer sees (:func:`visible`): ``rows:read_all``
    and the tables' read entitlements (``tables``: an iterable of :class:`Guarded`)."""
    return frozenset({READ_ALL_ROWS} | {t.read_entitlement for t in tables if t.read_entitlement})


def grants_visibility(child: Guarded, fk_column: sa.Column[Any]) -> bool:
    """Whether ``fk_column`` (of ``child``) is the link that makes the child's rows visible
    (its owner: the ownership path's first FK, or ``user_id`` of an owned table): a child
    reached from a visible parent through it is visible, with no predicate of its own."""
    return fk_column is child.owner_fk or (
        child.visibility is Visibility.OWNER and fk_column.name == "user_id"
    )


def visible(
    guarded: Guarded, viewer: Viewer | None, parent_of: ParentOf
) -> sa.ColumnElement[bool] | None:
    """The predicate of the rows of ``guarded.table`` that ``viewer`` may see; None means all.

    Rules: holders of ``rows:read_all`` see every row, holders of the table's
    ``read_entitlement`` every row of that table (the same entitlement its root field
    requires); catalogs are public; admin tables show nothing to anybody else; owned rows need
    ``user_id = viewer``; children of owned rows need a visible parent.

    Args:
        guarded: the table's declarations.
        viewer: the signed-in user (its ``user_id`` may be a bind parameter), or None.
        parent_of: the declarations of the table a ``VIA_PARENT`` foreign key leads to.
    """
    if viewer is not None and (
        viewer.reads_all_rows
        or (guarded.read_entitlement is not None and viewer.has(guarded.read_entitlement))
    ):
        return None
    t = guarded.table
    match guarded.visibility:
        case Visibility.PUBLIC:
            return None
        case Visibility.ADMIN:
            return sa.false()
        case Visibility.SELF:
            return t.c.id == viewer.user_id if viewer else sa.false()
        case Visibility.OWNER:
            own = t.c.user_id == viewer.user_id if viewer else sa.false()
            public = (
                guarded.public_when(t)
                if guarded.public_when is not None
                else t.c.user_id.is_(None)
                if t.c.user_id.nullable
                else None
            )
            return own if public is None else sa.or_(public, own)
        case Visibility.VIA_PARENT:
            assert guarded.owner_fk is not None
            parent_col = next(iter(guarded.owner_fk.foreign_keys)).column
            inner = visible(parent_of(parent_col), viewer, parent_of)
            if inner is None:
                return None
            return guarded.owner_fk.in_(sa.select(parent_col).where(inner))
    raise AssertionError(guarded.visibility)  # pragma: no cover


def where_visible(
    guarded: Guarded,
    viewer: Viewer | None,
    parent_of: ParentOf,
    through: sa.Column[Any] | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The visibility of ``guarded``'s rows as a WHERE list, for rows read on their own
    (``through`` None) or as the children of a visible parent through the foreign key
    ``through``: none is needed when that key grants visibility (:func:`grants_visibility`).
    """
    if through is not None and grants_visibility(guarded, through):
        return []
    clause = visible(guarded, viewer, parent_of)
    return [] if clause is None else [clause]
