"""Request-scoped DataLoaders (aiodataloader) for every foreign key, in both directions.

Three loader shapes serve all 75 tables:

- :class:`RowByColumnLoader` (``<Type>By<Column>Loader``): one row per key, e.g. a purchase's
  item, a lesson's topic, a user's wallet.
- :class:`PageByParentLoader` (``<Type>PageBy<Column>Loader``): one connection page per parent,
  every parent of a batch in one statement (a window function ranks rows per parent).
- :class:`CountByParentLoader` (``<Type>CountBy<Column>Loader``): ``totalCount`` per parent.

A loader is keyed in :class:`Loaders` by its arguments (relation, page size, cursor, filter),
so one GraphQL field at one depth costs one statement whatever the number of rows. Its
statement is a :class:`schema.core.sql.Template` compiled once per *shape* (table, relation,
direction, which filter fields and cursor are given, kind of viewer) and shared by every
request of the process; each batch only fills its bind parameters (parent keys, viewer, page
size, cursor values, filter values).
Pages prime the by-id loader of their rows (Saleor's priming habit), so a later lookup of the
same row costs nothing; the rows are remembered in a plain dict and only turned into loader
results when looked up (priming a future per row measurably cost more than it saved).
"""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from aiodataloader import DataLoader
from graphql import GraphQLError

from schema.core import sql
from schema.core.cursor import InvalidCursor, cursor_of
from schema.core.pages import PageArgs
from schema.core.tables import Relation, TableInfo, build_catalog, pascal

if TYPE_CHECKING:
    from db.auth.viewer import Viewer
    from db.reader import Reader

#: The key of a root connection's single "parent".
ROOT = "__root__"

L = TypeVar("L", bound=DataLoader[Any, Any])


def _mark_read(future: asyncio.Future[Any]) -> None:
    """Mark a finished future's exception as retrieved (see :meth:`_Loader.load`)."""
    if not future.cancelled():
        future.exception()


class _Loader(DataLoader[Any, Any]):
    def __init__(self, loaders: Loaders, name: str) -> None:
        super().__init__()
        self.loaders = loaders
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def load(self, key: Any) -> Any:
        """The value for ``key``, as an awaitable of the caller's own.

        aiodataloader hands every caller of one key the same cached future. graphql-core
        cancels the sibling fields of a field that fails (``gather_with_cancel``), and
        cancelling a task that awaits a future cancels that future: every other field waiting
        for the same key, elsewhere in the response, would then get ``CancelledError`` and abort
        the whole operation. ``asyncio.shield`` gives each caller its own future over the
        shared one, so a cancelled caller cancels only itself.

        An operation abandoned when its client left cancels its callers (and the shield
        then stops watching the shared future) or never awaits them, and the batch it had
        queued fails with ``ReaderClosedError``: asyncio would log "Future exception was never
        retrieved" for each such future when it is collected. Both futures get the error
        marked as read when it is set (a caller that does await its future still gets it).
        """
        shared = super().load(key)
        shared.add_done_callback(_mark_read)
        future = asyncio.shield(shared)
        future.add_done_callback(_mark_read)
        return future


class RowByColumnLoader(_Loader):
    """The visible row of ``info`` whose ``column`` equals the key, or None."""

    def __init__(
        self,
        loaders: Loaders,
        info: TableInfo,
        column: sa.Column[Any],
        scope: str,
        template: sql.Template,
    ) -> None:
        super().__init__(loaders, f"{scope}{info.type_name}By{pascal(column.name)}Loader")
        self.info = info
        self.column = column
        self.scoped = bool(scope)
        self.template = template

    def load(self, key: Any) -> Any:
        remembered = None if self.scoped else self.loaders.remembered(self.info, self.column)
        row = remembered.get(key) if remembered else None
        if row is None:
            return super().load(key)
        future = self.loop.create_future()
        future.set_result(row)
        return future

    async def batch_load_fn(self, keys: Sequence[Any]) -> list[Any]:
        values = {**self.loaders.viewer_values, sql.KEYS: list(keys)}
        rows = await self.loaders.reader.run(self.template, values)
        found = {row.lookup_key_: row for row in rows}
        return [found.get(key) for key in keys]


class PageByParentLoader(_Loader):
    """One page (``limit + 1`` rows, to tell whether more follow) per parent key."""

    def __init__(
        self,
        loaders: Loaders,
        info: TableInfo,
        parent_col: sa.Column[Any] | None,
        template: sql.Template,
        values: dict[str, Any],
    ) -> None:
        column = "Root" if parent_col is None else pascal(parent_col.name)
        super().__init__(loaders, f"{info.type_name}PageBy{column}Loader")
        self.info, self.parent_col, self.template, self.values = info, parent_col, template, values

    async def batch_load_fn(self, keys: Sequence[Any]) -> list[list[Any]]:
        values = self.values
        if self.parent_col is not None:
            values = {**values, sql.KEYS: list(keys)}
        rows = await self.loaders.reader.run(self.template, values)
        if self.parent_col is None:
            pages: dict[Any, list[Any]] = {ROOT: list(rows)}
        else:
            pages = defaultdict(list)
            for row in rows:
                pages[row.parent_key_].append(row)
        if self.info.has_single_id:
            self.loaders.remember(self.info, rows)
        return [pages.get(key, []) for key in keys]


class CountByParentLoader(_Loader):
    """``totalCount`` of the (filtered, visible) rows per parent key."""

    def __init__(
        self,
        loaders: Loaders,
        info: TableInfo,
        parent_col: sa.Column[Any] | None,
        template: sql.Template,
        values: dict[str, Any],
    ) -> None:
        column = "Root" if parent_col is None else pascal(parent_col.name)
        super().__init__(loaders, f"{info.type_name}CountBy{column}Loader")
        self.info, self.parent_col, self.template, self.values = info, parent_col, template, values

    async def batch_load_fn(self, keys: Sequence[Any]) -> list[int]:
        if self.parent_col is None:
            rows = await self.loaders.reader.run(self.template, self.values)
            return [int(rows[0].row_count)] * len(keys)
        rows = await self.loaders.reader.run(self.template, {**self.values, sql.KEYS: list(keys)})
        counts = {row.parent_key_: int(row.row_count) for row in rows}
        return [counts.get(key, 0) for key in keys]


class Loaders:
    """The DataLoaders of one request, created on first use and keyed by their arguments; their
    statements come from the process-wide templates (:data:`schema.core.sql.TEMPLATES`)."""

    def __init__(self, reader: Reader, viewer: Viewer | None) -> None:
        """The loaders of one request.

        Args:
            reader: the request's read connection (every batch runs one statement on it).
            viewer: the signed-in user, or None: what they may see shapes every statement.
        """
        self.reader = reader
        self.catalog = build_catalog()
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}
        self._remembered: dict[str, dict[Any, Any]] = {}
        #: What shapes the visibility predicates (:func:`schema.core.sql.viewer_kind`).
        self.kind = sql.viewer_kind(viewer, _widening(self.catalog))
        #: The viewer's bind parameter, part of every statement's values.
        self.viewer_values: dict[str, Any] = {
            sql.VIEWER_ID: viewer.user_id if viewer is not None else None
        }

    def remember(self, info: TableInfo, rows: Sequence[Any]) -> None:
        """Keep visible rows fetched by a page for later by-id lookups of the same request."""
        by_id = self._remembered.setdefault(info.name, {})
        for row in rows:
            by_id[row.id] = row

    def remembered(self, info: TableInfo, column: sa.Column[Any]) -> dict[Any, Any] | None:
        """The rows of ``info`` remembered by id, when ``column`` is its ``id``."""
        return self._remembered.get(info.name) if column.name == "id" else None

    def _get(self, key: Hashable, factory: Callable[[], L]) -> L:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = factory()
        return loader  # type: ignore[return-value]

    def _where(self, info: TableInfo, relation: Relation | None) -> list[sa.ColumnElement[bool]]:
        """The visibility predicates of ``info`` for this kind of viewer
        (:func:`schema.core.sql.visible_where`)."""
        return sql.visible_where(self.catalog, info, sql.parametric_viewer(self.kind), relation)

    def row_by(
        self,
        info: TableInfo,
        column: sa.Column[Any],
        *,
        where: Sequence[sa.ColumnElement[bool]] = (),
        scope: str = "",
    ) -> RowByColumnLoader:
        """``<Scope><Type>By<Column>Loader``: one visible row per value of ``column``, which
        is unique among the rows matching ``where`` (e.g. the active focus session of a user,
        ``scope="Active"``). ``where`` is part of the scope's declaration: the statement is
        compiled once per scope, with the ``where`` of its first use."""

        def factory() -> RowByColumnLoader:
            def build() -> sa.Select[Any]:
                return sql.rows_statement(info, column, self._where(info, None) + list(where))

            template = sql.template(
                ("row", info, column.name, scope, self.kind), build, (sql.KEYS, sql.VIEWER_ID)
            )
            return RowByColumnLoader(self, info, column, scope, template)

        return self._get(("row", info.name, column.name, scope), factory)

    def page(
        self,
        info: TableInfo,
        relation: Relation | None,
        args: PageArgs,
        filters: Sequence[sql.FilterDef],
    ) -> PageByParentLoader:
        """The page loader of a connection (``relation`` None: a root connection).

        Raises:
            GraphQLError: ``after``/``before`` is not a cursor of this connection.
        """
        parent_col = relation.fk_column if relation else None
        key = ("page", info.name, parent_col.name if parent_col is not None else None, args)

        def factory() -> PageByParentLoader:
            shape, values = sql.bind_filter(filters, args.filter)
            values.update(self.viewer_values)
            values[sql.LIMIT] = args.limit + 1
            cursor = cursor_of(info)
            if args.cursor is not None:
                try:
                    decoded = cursor.decode(args.cursor)
                except InvalidCursor as exc:
                    raise GraphQLError(str(exc)) from exc
                values.update(zip(cursor.names(), decoded, strict=True))
            has_cursor = args.cursor is not None

            def build() -> sa.Select[Any]:
                where = self._where(info, relation)
                where += sql.filter_clauses(info, filters, args.filter)
                if has_cursor:
                    bound = cursor.params(cursor.names())
                    where.append(sql.keyset(info, bound, after=not args.reverse))
                return sql.page_statement(info, where, reverse=args.reverse, parent_col=parent_col)

            template = sql.template(
                ("page", info, parent_col, args.reverse, shape, has_cursor, self.kind),
                build,
                values.keys() | {sql.KEYS},
            )
            return PageByParentLoader(self, info, parent_col, template, values)

        return self._get(key, factory)

    def count(
        self,
        info: TableInfo,
        relation: Relation | None,
        filter_key: tuple[tuple[str, Any], ...],
        filters: Sequence[sql.FilterDef],
    ) -> CountByParentLoader:
        """The ``totalCount`` loader of a connection."""
        parent_col = relation.fk_column if relation else None
        key = ("count", info.name, parent_col.name if parent_col is not None else None, filter_key)

        def factory() -> CountByParentLoader:
            shape, values = sql.bind_filter(filters, filter_key)
            values.update(self.viewer_values)

            def build() -> sa.Select[Any]:
                where = self._where(info, relation) + sql.filter_clauses(info, filters, filter_key)
                return sql.count_statement(info, where, parent_col=parent_col)

            template = sql.template(
                ("count", info, parent_col, shape, self.kind), build, values.keys() | {sql.KEYS}
            )
            return CountByParentLoader(self, info, parent_col, template, values)

        return self._get(key, factory)


@functools.cache
def _widening(catalog: Any) -> frozenset[str]:
    return sql.widening_entitlements(catalog)
