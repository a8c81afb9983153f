"""The declarative base and the column conventions every table shares.

docs/design.md#column-rules is implemented here once, so a model only says what is
particular to its table:

- ``id UUID`` primary keys defaulting to ``gen_random_uuid()``  -> ``Mapped[UUIDPK]``
- ``TIMESTAMPTZ`` timestamps                                     -> ``Mapped[datetime]``
- ``created_at`` / ``updated_at`` defaulting to ``now()``  -> ``Mapped[CreatedAt]``/``[UpdatedAt]``
- JSON-ish columns as ``JSONB``                           -> ``Mapped[JSON]`` (any JSON value)
- ``BYTEA``                                                      -> ``Mapped[bytes]``
- enum-like text columns with a CHECK of the allowed values      -> ``Mapped[SomeStrEnum]``
- every FK column indexed, ``ON DELETE CASCADE`` for dependents  -> :func:`fk` / :func:`user_fk`

Column ``info`` keys understood by the GraphQL layer (``schema/core``):

- ``secret=True``: never exposed as a field (token hashes, OAuth tokens, credential keys).
- ``rel="name"``: the name of the forward relation field of an FK column (default: the column
  name without its ``_id``/``_key`` suffix).
- ``reverse="name"``: the name of the reverse (one-to-many) field on the referenced table.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Text,
    func,
    text,
)
from sqlalchemy import (
    Enum as SAEnum,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.orm.properties import MappedColumn

#: Constraint and index names, so that migrations and models name things identically
#: (and ``alembic check`` can compare them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Any JSON value stored as JSONB (objects, arrays, scalars).
JSON = Annotated[Any, "jsonb"]

UUIDPK = Annotated[
    uuid.UUID,
    mapped_column(
        primary_key=True,
        server_default=text("gen_random_uuid()"),
        doc="The unique id of this row (a UUID the database assigns).",
    ),
]
CreatedAt = Annotated[
    datetime, mapped_column(server_default=func.now(), doc="When this row was created.")
]
UpdatedAt = Annotated[
    datetime,
    mapped_column(
        server_default=func.now(), onupdate=func.now(), doc="When this row last changed."
    ),
]


def _enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


class Base(DeclarativeBase):
    """Declarative base of all 75 tables (see ``db/__init__.py`` for the registry)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        uuid.UUID: PGUUID(as_uuid=True),
        datetime: TIMESTAMP(timezone=True),
        date: Date,
        str: Text,
        int: Integer,
        float: Double,
        bool: Boolean,
        bytes: LargeBinary,
        Decimal: Numeric,
        JSON: JSONB,
        # Enum-like text columns: VARCHAR plus a CHECK constraint named after the enum class,
        # storing the members' values (``'active'``, not ``'ACTIVE'``).
        enum.Enum: SAEnum(
            enum.Enum,
            native_enum=False,
            create_constraint=True,
            values_callable=_enum_values,
            validate_strings=True,
        ),
    }


def fk(
    target: str,
    *,
    ondelete: str | None = "CASCADE",
    nullable: bool = False,
    unique: bool = False,
    index: bool = True,
    doc: str | None = None,
    **info: Any,
) -> MappedColumn[Any]:
    """An indexed foreign-key column.

    Args:
        target: ``"table.column"`` referenced, e.g. ``"users.id"`` or ``"skill_definitions.key"``.
        ondelete: ``"CASCADE"`` for pure dependents (the default), ``"SET NULL"`` for optional
            links, ``None`` (NO ACTION) to protect referenced catalog rows.
        nullable: whether the link is optional.
        unique: one row per referenced row (a one-to-one relation); the unique index then
            serves as the FK index.
        index: index the column (docs/design.md#column-rules: every FK column is indexed); pass
        False only when a
            composite primary key or unique constraint already leads with this column.
        doc: what the link means, as GraphiQL shows it ("The market item bought."); no database
            effect (schema/core/descriptions.py).
        info: column info for the GraphQL layer (``rel=``, ``reverse=``), see the module doc.
    """
    return mapped_column(
        ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        index=(index or unique),
        unique=unique or None,
        info=info,
        doc=doc,
    )


def user_fk(
    *,
    nullable: bool = False,
    unique: bool = False,
    ondelete: str | None = "CASCADE",
    doc: str = "The user this row belongs to (deleting the user deletes it).",
    **info: Any,
) -> MappedColumn[Any]:
    """The owner column ``user_id -> users.id``: the row belongs to that user
    (docs/design.md#the-schema: every user-owned row has ``user_id`` with ``ON DELETE CASCADE``)."""
    return fk("users.id", nullable=nullable, unique=unique, ondelete=ondelete, doc=doc, **info)


def secret(**kwargs: Any) -> MappedColumn[Any]:
    """A column that is never exposed through the API (hashes, OAuth tokens, keys)."""
    return mapped_column(info={"secret": True}, **kwargs)


def big_int(**kwargs: Any) -> MappedColumn[Any]:
    """A BIGINT column (byte counts and other values that may exceed 2**31)."""
    return mapped_column(BigInteger, **kwargs)


__all__ = [
    "JSON",
    "NAMING_CONVENTION",
    "UUIDPK",
    "Base",
    "CreatedAt",
    "UpdatedAt",
    "big_int",
    "fk",
    "non_negative",
    "secret",
    "user_fk",
]


def non_negative(*columns: str) -> tuple[CheckConstraint, ...]:
    """CHECK constraints ``<column> >= 0``, named ``ck_<table>_<column>_non_negative``, for
    counters, amounts and durations (spread them into ``__table_args__``)."""
    return tuple(CheckConstraint(f"{c} >= 0", name=f"{c}_non_negative") for c in columns)
