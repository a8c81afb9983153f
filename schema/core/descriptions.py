"""The descriptions GraphiQL's documentation pane shows, derived from the models (one place).

- A type's description is its model's class docstring.
- A column field's description is the column's ``doc=`` text (``mapped_column(doc=...)``, or the
  defaults of ``db/base.py``: ids, timestamps, owners); an enum column adds the allowed values
  of its enum class, an FK column says it holds the referenced row's id or key.
- An enum type's description is the enum class docstring; its ``- ``value``: meaning`` lines
  describe the values.
- Relations, connections and edges are described from the meaning of the rows they lead to:
  the first sentence of the target model's docstring.

``doc=`` has no effect on the database (unlike ``comment=``), so migrations never see it.
"""

from __future__ import annotations

import enum
import inspect
import re
from typing import Any

from schema.core.pages import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from schema.core.tables import ColumnField, Relation, TableInfo, camel

#: Words that may start a summary in lower case when it follows other text.
_ARTICLES = {"A", "An", "The", "One", "Each", "Every", "What", "How", "Where", "Who", "When"}

#: Descriptions of the connection arguments (schema/core/pages.PageArgs says what they do).
FIRST = (
    f"At most this many rows from the start of the order (0-{MAX_PAGE_SIZE}; "
    f"{DEFAULT_PAGE_SIZE} when neither `first` nor `last` is given)."
)
AFTER = "Only rows after this cursor (an edge's `cursor`, or `pageInfo.endCursor`)."
LAST = f"At most this many rows from the end of the order (0-{MAX_PAGE_SIZE})."
BEFORE = "Only rows before this cursor (an edge's `cursor`, or `pageInfo.startCursor`)."
FILTER = "Only rows that meet every condition given here."
EDGES = "The rows of this page, each with its cursor, in the connection's order."
PAGE_INFO = "Whether rows follow or precede this page, and the cursors of its two ends."
CURSOR = "Where this edge stands; pass it as `after` or `before`."
TOTAL_COUNT = "The number of rows matching the filter, over all pages."


#: A reference to the project's own documents inside a text (``Ignition specification,
#: "Market Purchase Flow"``, ``docs/design.md#visibility``): right in a docstring, meaningless
#: to an API client.
_REFERENCE = r"(?:Ignition\s+specification|docs/[\w./#-]+)[^()]*"


def client_text(text: str) -> str:
    """``text`` without references to the project's documents, for clients: a parenthesis
    holding only a reference goes, and so does a reference that ends a parenthesis after a
    comma ('(one per user, Ignition specification, "Focus Lifecycle")' -> "(one per user)")."""
    text = re.sub(rf"\s*\({_REFERENCE}\)", "", text)
    return re.sub(rf",\s*{_REFERENCE}(?=\))", "", text)


def docstring(obj: object) -> str | None:
    """The cleaned docstring of a class (not inherited), or None."""
    doc = vars(obj).get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if doc else None


def column_doc(model: type[Any], column: str) -> str:
    """The ``doc=`` text of a model's column, for hand-written fields and mutation inputs that
    mirror the column (``strawberry.field(description=column_doc(Habit, "name"))``), so the
    text stays written once, in the model.

    Raises:
        KeyError: the model has no such column.
        ValueError: the column has no ``doc=`` text.
    """
    doc = model.__table__.c[column].doc
    if not doc:
        raise ValueError(f"{model.__tablename__}.{column} has no doc= text")
    return str(doc).strip()


def type_description(info: TableInfo) -> str | None:
    """The description of a table's object type: its model's docstring."""
    return docstring(info.model)


def summary(info: TableInfo) -> str:
    """The first sentence of the model's docstring, without its full stop, ready to follow
    other text ("one purchase of a market item by a user"); the table name when undocumented."""
    doc = docstring(info.model)
    if not doc:
        return f"a row of {info.name}"
    first = re.split(r"(?<=[.!?])\s|\n\n", doc, maxsplit=1)[0].strip().rstrip(".")
    word = first.split(" ", 1)[0]
    return first[0].lower() + first[1:] if word in _ARTICLES else first


#: A value's line in an enum docstring: ``- ``stored_value``: what it means.``
_VALUE = re.compile(r"^- ``(?P<value>[^`]+)``: (?P<text>.+)$")


def _enum_parts(enum_class: type[enum.Enum]) -> tuple[str | None, dict[str, str]]:
    """An enum docstring split into its prose and its value list (``- ``value``: meaning``
    lines, continued by indented lines)."""
    doc = docstring(enum_class)
    if not doc:
        return None, {}
    prose: list[str] = []
    values: dict[str, str] = {}
    last: str | None = None
    for line in doc.splitlines():
        match = _VALUE.match(line)
        if match:
            last = match["value"]
            text = match["text"].strip()
            values[last] = text[:1].upper() + text[1:]
        elif last is not None and line.startswith("  "):
            values[last] += " " + line.strip()
        else:
            last = None
            prose.append(line)
    return "\n".join(prose).strip() or None, values


def enum_description(enum_class: type[enum.Enum]) -> str | None:
    """The description of an enum type: its class docstring without the value list."""
    return _enum_parts(enum_class)[0]


def enum_value_descriptions(enum_class: type[enum.Enum]) -> dict[str, str]:
    """Member name -> description, from the docstring's ``- ``value``: meaning`` lines.

    Raises:
        ValueError: the docstring describes a value the enum does not have.
    """
    by_value = {str(member.value): member.name for member in enum_class}
    described = _enum_parts(enum_class)[1]
    unknown = set(described) - set(by_value)
    if unknown:
        raise ValueError(f"{enum_class.__name__} docstring describes unknown values {unknown}")
    return {by_value[value]: text for value, text in described.items()}


def column_description(cf: ColumnField) -> str | None:
    """The description of a column field: its ``doc=`` text, plus the enum's values or the
    referenced column of a foreign key; None when the column has no ``doc=``."""
    doc = cf.column.doc
    if not doc:
        return None
    doc = doc.strip()
    fks = list(cf.column.foreign_keys)
    if fks:
        key = fks[0].column.name
        doc = f"The {key} of the {doc[4:]}" if doc.startswith("The ") else doc
    if cf.enum_class is not None:
        values = ", ".join(f"`{member.name}`" for member in cf.enum_class)
        doc = f"{doc} One of {values}."
    if cf.kind == "bytes":
        doc = f"{doc} Base64-encoded."
    return doc


def relation_description(relation: Relation) -> str:
    """A relation field: a forward one takes its FK column's ``doc=`` text; a reverse one is
    described from the rows it lists."""
    fk = camel(relation.fk_column.name)
    target = relation.target
    if relation.kind == "forward":
        doc = relation.fk_column.doc
        if doc:
            return doc.strip()
        return f"The {target.type_name} of `{fk}` ({summary(target)})."
    parent = relation.parent.type_name
    if relation.kind == "one":
        return f"The {target.type_name} whose `{fk}` is this {parent}, if any ({summary(target)})."
    return f"Every {target.type_name} whose `{fk}` is this {parent} ({summary(target)})."


def connection_description(info: TableInfo) -> str:
    """The ``<Type>Connection`` type."""
    return (
        f"A page of {info.type_name} rows ({summary(info)}): a Relay connection with keyset "
        "cursors."
    )


def edge_description(info: TableInfo) -> str:
    """The ``<Type>Edge`` type."""
    return f"One {info.type_name} ({summary(info)}) in a connection, with its cursor."


def node_description(info: TableInfo) -> str:
    """The ``node`` field of an edge."""
    return f"The {info.type_name} itself."


def filter_description(info: TableInfo) -> str:
    """The ``<Type>Filter`` input."""
    return f"Conditions on {info.type_name} rows ({summary(info)}); all given ones must hold."
