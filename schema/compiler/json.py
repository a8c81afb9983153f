"""SQL expressions that render values exactly as the general (Strawberry) path serialises them.

Each function takes a column expression and returns the expression whose JSON (inside
``json_build_object``) is what Strawberry writes for the row value: enum names, ISO dates and
timestamps as Python's ``isoformat()`` spells them, base64 bytes, IDs as strings (the
cursors are :meth:`schema.core.cursor.Cursor.sql`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from schema.core.cursor import iso_date, iso_datetime, literal
from schema.core.tables import ColumnField

#: ``json_build_object`` takes at most 100 arguments (PostgreSQL's FUNC_MAX_ARGS).
_MAX_PAIRS = 50


def json_object(pairs: list[tuple[str, sa.ColumnElement[Any]]]) -> sa.ColumnElement[Any]:
    """``json_build_object(key, value, ...)`` keeping the keys in the given (selection) order.

    Past 50 pairs the objects of consecutive chunks are joined as text (``{..}`` + ``{..}``
    -> ``{.., ..}``), since ``json_build_object`` takes at most 100 arguments and merging
    through ``jsonb`` would reorder the keys.
    """
    chunks = [pairs[i : i + _MAX_PAIRS] for i in range(0, len(pairs), _MAX_PAIRS)] or [[]]
    objects = [
        sa.func.json_build_object(*[x for key, value in chunk for x in (literal(key), value)])
        for chunk in chunks
    ]
    if len(objects) == 1:
        return objects[0]
    text: sa.ColumnElement[Any] = sa.func.left(sa.cast(objects[0], sa.Text), -1)
    for middle in objects[1:-1]:
        text = text + ", " + sa.func.substr(sa.func.left(sa.cast(middle, sa.Text), -1), 2)
    text = text + ", " + sa.func.substr(sa.cast(objects[-1], sa.Text), 2)
    return sa.cast(text, postgresql.JSON)


def python_float(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A ``double precision`` (or numeric) as Python's ``repr(float)``, which orjson writes:
    integral values keep a ``.0`` (``7.0``; PostgreSQL writes ``7``); others are the shortest
    round-trip digits in both."""
    number = sa.cast(column, postgresql.DOUBLE_PRECISION)
    integral = sa.and_(number == sa.func.trunc(number), sa.func.abs(number) < 1e15)
    text = sa.case(
        (integral, sa.cast(sa.cast(number, sa.BigInteger), sa.Text) + literal(".0")),
        else_=sa.cast(number, sa.Text),
    )
    return sa.cast(text, postgresql.JSON)


def value(cf: ColumnField, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The JSON-ready expression of a column field, as Strawberry serialises it.

    ``id`` -> text (UUIDs and BIGINT outbox ids alike: ``ID`` is a string); enums -> the
    GraphQL enum name (the Python member name); timestamps and dates -> ISO text; ``float``
    -> ``double precision`` (Python's ``float(Decimal)``); ``bytes`` -> base64 without line
    breaks; everything else as stored (JSONB documents are embedded as JSON).
    """
    match cf.kind:
        case "id":
            return sa.cast(column, sa.Text)
        case "enum":
            assert cf.enum_class is not None
            text = sa.cast(column, sa.Text)
            return sa.case(
                *[
                    (text == literal(str(member.value)), literal(name))
                    for name, member in cf.enum_class.__members__.items()
                ]
            )
        case "datetime":
            return iso_datetime(column)
        case "date":
            return iso_date(column)
        case "float":
            return python_float(column)
        case "bytes":
            return sa.func.translate(
                sa.func.encode(column, literal("base64")), sa.literal_column("E'\\n'"), literal("")
            )
    return column
