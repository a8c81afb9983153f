"""The connection cursor, defined once: its format, its Python codec and its SQL expression.

A cursor is the position of a row in its table's order (``TableInfo.order``): the row's values
of the order columns as a compact JSON array (``isoformat()`` for dates and timestamps, UUIDs
as text, numbers as JSON, strings JSON-escaped), encoded as urlsafe base64 with padding.

:class:`Cursor` gives both read paths that one format: :meth:`Cursor.encode` and
:meth:`Cursor.decode` for the general path (``schema/core/types.py``,
``schema/core/loaders.py``), :meth:`Cursor.sql` for the compiled path (``schema/compiler``),
which renders the same bytes inside PostgreSQL, with no Python per row. Each order value's
rendering is written once per kind, in Python and in SQL side by side (:data:`_ITEMS`); the
differential tests (``tests/compiler``) compare the two.
"""

from __future__ import annotations

import base64
import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa

if TYPE_CHECKING:
    from schema.core.tables import TableInfo


class InvalidCursor(ValueError):
    """A cursor that this API did not issue (or issued for another order)."""


# -- SQL text renderings (shared with schema/compiler/json.py) --------------------------------


def quote(text: str) -> str:
    """``text`` as an SQL string literal (for names and enum values known when compiling)."""
    return "'" + text.replace("'", "''") + "'"


def literal(text: str) -> sa.ColumnElement[Any]:
    """A constant text inlined into the statement (not a bind parameter)."""
    return sa.literal_column(quote(text), sa.Text)


def iso_datetime(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A ``timestamptz`` as Python's ``datetime.isoformat()`` of the UTC value asyncpg
    returns: ``2026-01-05T09:30:00+00:00``, with ``.ffffff`` only when the microseconds are not
    zero."""
    text = sa.func.to_char(
        sa.func.timezone(literal("UTC"), column), literal('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
    )
    return sa.func.replace(text, literal(".000000+"), literal("+"))


def iso_date(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A ``date`` as ``date.isoformat()``."""
    return sa.func.to_char(column, literal("YYYY-MM-DD"))


# -- one order value ---------------------------------------------------------------------------

#: The range of PostgreSQL's integer types, by SQLAlchemy type.
_INT_RANGES: list[tuple[type[sa.types.TypeEngine[Any]], int]] = [
    (sa.SmallInteger, 2**15),
    (sa.BigInteger, 2**63),
    (sa.Integer, 2**31),
]


def _to_json_text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.cast(sa.func.to_json(column), sa.Text)


def _parse_datetime(col: sa.Column[Any], value: Any) -> datetime:
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError("instant without an offset")
    instant.astimezone(UTC)  # OverflowError (an ArithmeticError) past the range
    return instant


def _parse_int(col: sa.Column[Any], value: Any) -> int:
    if not isinstance(value, int):
        raise ValueError("not an integer")
    limit = next((b for kind, b in _INT_RANGES if isinstance(col.type, kind)), 2**63)
    if not -limit <= value < limit:
        raise ValueError("integer out of range")
    return value


def _parse_str(col: sa.Column[Any], value: Any) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("not a storable string")
    return value


@dataclass(frozen=True)
class _Item:
    """How one kind of order value is written into a cursor, in Python and in SQL.

    Attributes:
        python: the value as it goes into the JSON array (orjson writes it).
        sql: the column's JSON text, byte-identical to what orjson writes for ``python``.
        parse: the value back from the JSON array, typed like the column; raises ValueError
            (or OverflowError) for a value the column cannot hold, so that a forged cursor
            fails as an input error, not inside the database.
    """

    python: Callable[[Any], Any]
    sql: Callable[[sa.ColumnElement[Any]], sa.ColumnElement[Any]]
    parse: Callable[[sa.Column[Any], Any], Any]


#: The kinds of order value a cursor holds, by the column's Python type (first match wins:
#: ``datetime`` before ``date``, ``bool`` before ``int``). Floats are absent: PostgreSQL
#: writes ``1`` where orjson writes ``1.0``.
_ITEMS: list[tuple[type, _Item]] = [
    (
        datetime,
        _Item(datetime.isoformat, lambda c: _to_json_text(iso_datetime(c)), _parse_datetime),
    ),
    (
        date,
        _Item(
            date.isoformat,
            lambda c: _to_json_text(iso_date(c)),
            lambda col, v: date.fromisoformat(v),
        ),
    ),
    (
        uuid.UUID,
        _Item(str, lambda c: _to_json_text(sa.cast(c, sa.Text)), lambda col, v: uuid.UUID(v)),
    ),
    (int, _Item(lambda v: v, _to_json_text, _parse_int)),  # bool too: JSON true/false
    (
        str,
        _Item(
            lambda v: getattr(v, "value", v),  # StrEnum members: their stored value
            lambda c: _to_json_text(sa.cast(c, sa.Text)),
            _parse_str,
        ),
    ),
]


def _item(column: sa.Column[Any] | sa.ColumnElement[Any]) -> _Item | None:
    py = column.type.python_type
    return next((item for kind, item in _ITEMS if issubclass(py, kind)), None)


# -- the codec of a table's order ------------------------------------------------------------


class Cursor:
    """The cursor codec of one table's order (:func:`cursor_of` keeps one per table).

    Args:
        info: the table; its ``order`` lists the columns whose values a cursor holds.
    """

    def __init__(self, info: TableInfo) -> None:
        self.info = info
        self.columns = [col for col, _ in info.order]
        self.keys = [info.key_of[col.name] for col in self.columns]
        self.items = [_item(col) for col in self.columns]

    @property
    def supported(self) -> bool:
        """Whether :meth:`sql` can render this order (every order column has a kind)."""
        return all(item is not None for item in self.items)

    def encode(self, row: Any) -> str:
        """The cursor of ``row`` (a record with the table's attribute keys)."""
        values = []
        for key, item in zip(self.keys, self.items, strict=True):
            value = getattr(row, key)
            values.append(item.python(value) if item is not None else value)
        return base64.urlsafe_b64encode(orjson.dumps(values)).decode()

    def decode(self, cursor: str) -> list[Any]:
        """The order values of ``cursor``, typed like the columns.

        Raises:
            InvalidCursor: not a cursor of this order.
        """
        try:
            values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
            if not isinstance(values, list) or len(values) != len(self.columns):
                raise ValueError
            return [
                self._parse(col, item, value)
                for col, item, value in zip(self.columns, self.items, values, strict=True)
            ]
        except (ValueError, TypeError, NotImplementedError, OverflowError) as exc:
            shown = cursor if len(cursor) <= 80 else cursor[:80] + "..."
            raise InvalidCursor(
                f"Invalid cursor {shown!r} for a {self.info.type_name} connection."
            ) from exc

    @staticmethod
    def _parse(col: sa.Column[Any], item: _Item | None, value: Any) -> Any:
        py = col.type.python_type
        if value is None or (isinstance(value, bool) and py is not bool):
            raise ValueError("null or boolean order value")
        if item is not None:
            return item.parse(col, value)
        if isinstance(value, py):
            return py(value)
        raise ValueError(f"unexpected order value for {col.name}")

    def sql(self, columns: Sequence[sa.ColumnElement[Any]]) -> sa.ColumnElement[Any]:
        """The cursor of a row as an SQL expression, byte-identical to :meth:`encode`.

        Args:
            columns: the row's order columns (e.g. of a table alias), in order.

        Raises:
            ValueError: the order is not :attr:`supported`.
        """
        parts: list[sa.ColumnElement[Any]] = []
        for i, (column, item) in enumerate(zip(columns, self.items, strict=True)):
            if item is None:
                raise ValueError(f"no SQL rendering of the cursor of {self.info.type_name}")
            if i:
                parts.append(literal(","))
            parts.append(item.sql(column))
        array = sa.func.concat(literal("["), *parts, literal("]"))
        encoded = sa.func.encode(sa.func.convert_to(array, literal("UTF8")), literal("base64"))
        return sa.func.translate(encoded, sa.literal_column("E'+/\\n'"), literal("-_"))

    def params(self, names: Sequence[str]) -> list[sa.BindParameter[Any]]:
        """The bind parameters of a decoded cursor's values, named ``names`` and typed like
        the order columns."""
        return [
            sa.bindparam(name, None, type_=col.type)
            for name, col in zip(names, self.columns, strict=True)
        ]

    def names(self, prefix: str = "c") -> list[str]:
        """The default names of :meth:`params` (``c0``, ``c1``, ...)."""
        return [f"{prefix}{i}" for i in range(len(self.columns))]


@functools.cache
def cursor_of(info: TableInfo) -> Cursor:
    """The cursor codec of ``info``'s order (built once per table)."""
    return Cursor(info)
