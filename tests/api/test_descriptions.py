"""GraphiQL's documentation pane has something to say everywhere: every type, field and argument
of the API is described, and the generated types take their texts from the models (class
docstrings and column ``doc=``), the one place they are written (schema/core/descriptions.py)."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
)

from gateway.settings import Settings
from schema import build_schema
from schema.core.descriptions import column_doc
from schema.core.tables import build_catalog

#: What an undocumented table or column used to show, or a text with no content.
PLACEHOLDER = re.compile(r"^(A row of `?\w+`?\.?|None|TODO.*|\W*)$", re.IGNORECASE)
#: graphql-core's own types and scalars describe themselves.
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


@pytest.fixture(scope="module")
def graphql_schema() -> Any:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/absent")
    return build_schema(settings)._schema


def _undescribed(description: str | None) -> bool:
    return description is None or bool(PLACEHOLDER.match(description.strip()))


def _problems(named: GraphQLNamedType) -> list[str]:
    problems = []
    if _undescribed(named.description):
        problems.append(f"type {named.name}")
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for name, field in named.fields.items():
            if _undescribed(field.description):
                problems.append(f"field {named.name}.{name}")
            for arg_name, arg in field.args.items():
                if _undescribed(arg.description):
                    problems.append(f"argument {named.name}.{name}({arg_name})")
    elif isinstance(named, GraphQLEnumType):
        for name, value in named.values.items():
            if _undescribed(value.description):
                problems.append(f"enum value {named.name}.{name}")
    elif isinstance(named, GraphQLInputObjectType):
        for name, field in named.fields.items():
            if _undescribed(field.description):
                problems.append(f"input field {named.name}.{name}")
    return problems


def _generated(graphql_schema: Any) -> set[str]:
    """The types schema/core generates from the models, the root query and the shared inputs."""
    names = {"Query", "PageInfo", "DateRange", "DateTimeRange", "DomainError"}
    for info in build_catalog():
        for suffix in ("", "Connection", "Edge", "Filter"):
            names.add(info.type_name + suffix)
        names.update(
            graphql_schema.type_map[cf.enum_class.__name__].name
            for cf in info.columns
            if cf.enum_class is not None
        )
    return names & set(graphql_schema.type_map)


def test_every_type_is_described(graphql_schema: Any) -> None:
    undescribed = [
        name
        for name, named in sorted(graphql_schema.type_map.items())
        if not name.startswith("__") and name not in BUILT_IN and _undescribed(named.description)
    ]
    assert undescribed == []


def test_every_field_and_argument_of_the_read_api_is_described(graphql_schema: Any) -> None:
    """Every field, argument, input field and enum value of the generated types and the root
    query (the mutation framework's payload and error fields are described by their own
    declarations)."""
    generated = _generated(graphql_schema)
    assert len(generated) > 4 * 75
    problems = [
        problem
        for name in sorted(generated)
        for problem in _problems(graphql_schema.type_map[name])
    ]
    assert problems == [], f"{len(problems)} without a description: {problems[:40]}"


def test_generated_types_take_their_descriptions_from_the_models(graphql_schema: Any) -> None:
    for info in build_catalog():
        object_type = graphql_schema.type_map[info.type_name]
        assert object_type.description == inspect.cleandoc(info.model.__doc__), info.type_name
        for cf in info.columns:
            description = object_type.fields[cf.name].description
            if cf.column.foreign_keys:
                assert cf.column.doc.strip()[4:] in description, (info.name, cf.name)
            else:
                assert description.startswith(cf.column.doc.strip()), (info.name, cf.name)
            if cf.enum_class is not None:
                assert all(f"`{m.name}`" in description for m in cf.enum_class)


def test_relations_and_connections_say_what_they_lead_to(graphql_schema: Any) -> None:
    purchase = graphql_schema.type_map["UserPurchase"]
    item_doc = build_catalog()["user_purchases"].table.c.item_id.doc
    assert purchase.fields["item"].description == item_doc
    purchases = graphql_schema.type_map["MarketItem"].fields["purchases"].description
    assert "UserPurchase" in purchases and "one purchase of a market item" in purchases
    connection = graphql_schema.type_map["MarketItemConnection"].description
    assert "an item of the coin market" in connection
    status = graphql_schema.type_map["PurchaseStatus"]
    assert isinstance(status, GraphQLEnumType) and not _undescribed(status.description)


def test_hand_written_fields_can_reuse_a_column_text() -> None:
    from db.habits.models import Habit

    assert column_doc(Habit, "target_count") == Habit.__table__.c.target_count.doc
    with pytest.raises(KeyError):
        column_doc(Habit, "nope")
