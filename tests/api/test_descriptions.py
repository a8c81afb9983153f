"""GraphiQL's documentation pane has something to say everywhere: every type, field, argument,
input field and enum value of the whole API (queries, mutations, subscriptions) is described,
and the generated types take their texts from the models (class docstrings and column
``doc=``), the one place they are written (schema/core/descriptions.py); mutation payloads,
arguments and domain errors get theirs from their declarations (schema/core/mutations.py)."""

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
    GraphQLUnionType,
    get_named_type,
)
from strawberry.types.base import get_object_definition

from db.events.idempotency import KEY_TEXT
from gateway.settings import Settings
from schema import build_schema
from schema.core.descriptions import client_text, column_doc, summary
from schema.core.mutations import IDEMPOTENCY_KEY, declared, error_type, mutation
from schema.core.strawberry_adapter import graphql_core_schema
from schema.core.tables import build_catalog, camel

#: What an undocumented table or column used to show, or a text with no content.
PLACEHOLDER = re.compile(r"^(A row of `?\w+`?\.?|None|TODO.*|\W*)$", re.IGNORECASE)
#: graphql-core's own types and scalars describe themselves.
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


@pytest.fixture(scope="module")
def graphql_schema() -> Any:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/absent")
    return graphql_core_schema(build_schema(settings))


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


def _reachable(graphql_schema: Any) -> dict[str, GraphQLNamedType]:
    """Every named type reachable from Query, Mutation and Subscription (through fields,
    arguments, input fields, union members and interface implementations), introspection
    and graphql-core's scalars aside."""
    seen: dict[str, GraphQLNamedType] = {}
    todo: list[Any] = [
        graphql_schema.query_type,
        graphql_schema.mutation_type,
        graphql_schema.subscription_type,
    ]
    while todo:
        named = get_named_type(todo.pop())
        if named is None or named.name in seen or named.name in BUILT_IN:
            continue
        seen[named.name] = named
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field in named.fields.values():
                todo.append(field.type)
                todo.extend(arg.type for arg in field.args.values())
            todo.extend(named.interfaces)
            if isinstance(named, GraphQLInterfaceType):
                todo.extend(graphql_schema.get_implementations(named).objects)
        elif isinstance(named, GraphQLUnionType):
            todo.extend(named.types)
        elif isinstance(named, GraphQLInputObjectType):
            todo.extend(field.type for field in named.fields.values())
    return seen


def test_every_type_is_described(graphql_schema: Any) -> None:
    undescribed = [
        name
        for name, named in sorted(graphql_schema.type_map.items())
        if not name.startswith("__") and name not in BUILT_IN and _undescribed(named.description)
    ]
    assert undescribed == []


def test_every_type_field_argument_and_value_of_the_whole_schema_is_described(
    graphql_schema: Any,
) -> None:
    """Every type reachable from the three roots, and every field, argument, input field and
    enum value of it: the generated read API, the mutations (arguments, inputs, success
    payloads, domain errors) and the subscription events alike."""
    reachable = _reachable(graphql_schema)
    assert {"Query", "Mutation", "Subscription", "DomainError"} <= reachable.keys()
    assert {"PurchaseMarketItemSuccess", "InsufficientFunds", "StartFocusSessionInput"} <= (
        reachable.keys()
    )
    # The types the schema lists without reaching them (generated types of tables no root
    # field exposes) are checked too: introspection shows them.
    listed = {
        name: named
        for name, named in graphql_schema.type_map.items()
        if not name.startswith("__") and name not in BUILT_IN
    }
    assert reachable.keys() <= listed.keys()
    problems = [problem for name in sorted(listed) for problem in _problems(listed[name])]
    assert problems == [], f"{len(problems)} without a description: {problems[:40]}"


def _descriptions(graphql_schema: Any) -> list[tuple[str, str]]:
    """(where, text) of every description in the schema."""
    found = []
    for name, named in graphql_schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        found.append((name, named.description or ""))
        fields = getattr(named, "fields", {}) if not isinstance(named, GraphQLUnionType) else {}
        for field_name, field in fields.items():
            found.append((f"{name}.{field_name}", field.description or ""))
            for arg_name, arg in getattr(field, "args", {}).items():
                found.append((f"{name}.{field_name}({arg_name})", arg.description or ""))
        if isinstance(named, GraphQLEnumType):
            found.extend(
                (f"{name}.{v}", value.description or "") for v, value in named.values.items()
            )
    return found


def test_client_texts_name_no_project_documents(graphql_schema: Any) -> None:
    """References to the project's specs and design notes belong in code comments and
    docstrings, not in what GraphiQL shows (the generators strip them)."""
    leaks = [
        where
        for where, text in _descriptions(graphql_schema)
        if re.search(r"Ignition specification|decisions\.md|docs/", text)
    ]
    assert leaks == []
    purchase = graphql_schema.mutation_type.fields["purchaseMarketItem"].description
    assert purchase.startswith("Buy units of a market item with coins: the item")


def test_client_text_strips_references() -> None:
    assert client_text('Buy (Ignition specification, "Market Purchase Flow").') == "Buy."
    broken = 'One session (one per user, Ignition specification, "Focus Lifecycle").'
    assert client_text(broken.replace("Focus ", "Focus\n")) == "One session (one per user)."
    assert client_text("Absent, not forbidden (docs/design.md#visibility).") == (
        "Absent, not forbidden."
    )
    assert client_text("Coins (sum of the ledger).") == "Coins (sum of the ledger)."


def test_every_idempotency_key_has_the_one_standard_text(graphql_schema: Any) -> None:
    """Every ``idempotencyKey`` a client sends (mutation argument or input field) carries
    :data:`IDEMPOTENCY_KEY` and its bound (the columns that store keys describe the column
    instead)."""
    keys = [
        arg.description
        for field in graphql_schema.mutation_type.fields.values()
        for name, arg in field.args.items()
        if name == "idempotencyKey"
    ]
    keys += [
        named.fields["idempotencyKey"].description
        for named in graphql_schema.type_map.values()
        if isinstance(named, GraphQLInputObjectType) and "idempotencyKey" in named.fields
    ]
    assert len(keys) == sum(d.idempotent for d in declared().values()) > 5
    assert set(keys) == {f"{IDEMPOTENCY_KEY} {KEY_TEXT.describe()}"}


def test_mutation_payloads_and_arguments_take_the_model_texts(graphql_schema: Any) -> None:
    success = graphql_schema.type_map["PurchaseMarketItemSuccess"]
    purchase = success.fields["purchase"].description
    assert purchase.startswith("The UserPurchase as it is after `purchaseMarketItem`: ")
    assert summary(build_catalog()["user_purchases"]) in purchase
    unlocked = graphql_schema.type_map["CompleteHabitSuccess"].fields["unlockedAchievements"]
    assert unlocked.description.startswith("Every UserAchievement that `completeHabit` created")
    purchase_input = graphql_schema.mutation_type.fields["purchaseMarketItem"].args["input"]
    assert (
        purchase_input.description == graphql_schema.type_map["PurchaseMarketItemInput"].description
    )
    reason = graphql_schema.mutation_type.fields["refundPurchase"].args["reason"].description
    from db.market.models import UserPurchase

    assert reason.startswith(column_doc(UserPurchase, "refund_reason"))


def test_inputs_that_mirror_columns_reuse_the_column_texts(graphql_schema: Any) -> None:
    from db.focus.models import FocusSession
    from db.habits.models import Habit
    from db.quests.models import UserQuest

    for input_name, model, columns in (
        ("CreateHabitInput", Habit, ("name", "frequency", "target_count", "custom_days")),
        ("CreateQuestInput", UserQuest, ("title", "difficulty", "repeat_frequency")),
        ("StartFocusSessionInput", FocusSession, ("mode", "duration_seconds", "task_title")),
    ):
        fields = graphql_schema.type_map[input_name].fields
        for column in columns:
            description = fields[camel(column)].description
            assert description.startswith(column_doc(model, column)), (input_name, column)


def test_error_fields_are_described_by_their_class() -> None:
    from db.errors import DomainError, InsufficientFunds

    needed = get_object_definition(error_type(InsufficientFunds), strict=True).get_field("needed")
    assert needed is not None
    assert needed.description == InsufficientFunds.field_docs["needed"]
    with pytest.raises(TypeError, match="field_docs"):
        type("Undocumented", (DomainError,), {"__annotations__": {"amount": "int"}})
    assert "Undocumented" not in DomainError.registry


def test_a_mutation_cannot_describe_what_it_does_not_have() -> None:
    async def body(tx: Any, id: str) -> dict[str, Any]:
        return {}

    with pytest.raises(ValueError, match="args="):
        mutation(description="x", returns={"n": int}, args={"nope": "x"}, name="docsProbe1")(body)
    with pytest.raises(ValueError, match="fields="):
        mutation(description="x", returns={"n": int}, fields={"m": "x"}, name="docsProbe2")(body)
    assert not {"docsProbe1", "docsProbe2"} & declared().keys()


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
