"""The domains register explicitly (docs/architecture.md#schema): every package listed in
``schema.DOMAINS`` exposes its ``DOMAIN``, and its ``mutations``, ``admin`` and
``subscriptions`` modules hold their declarations as attributes; ``schema.declarations()`` reads
them from those modules only.

- Every declaration of a listed module is in the schema, and nothing else is: a declaration
  made anywhere else (a test, an unlisted module) never reaches it.
- A name declared twice fails the collection, whatever the order of the modules.
- The generated resolvers carry real signatures: nothing forges ``__signature__``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import types
from typing import Any

import pytest

import schema
from db.events.outbox import Topic
from schema.core.declarations import collect
from schema.core.mutations import MutationDef, Tx, declared, mutation
from schema.core.spec import AddedField, Domain, RowField, TableSpec, merge_domains
from schema.core.strawberry_adapter import graphql_core_schema
from schema.core.subscriptions import SubscriptionDef, Value, subscription


@pytest.fixture(scope="module")
def built() -> Any:
    return schema.build_schema()


@pytest.fixture(scope="module")
def graphql_schema(built: Any) -> Any:
    return graphql_core_schema(built)


def _listed_modules() -> list[types.ModuleType]:
    return [
        importlib.import_module(f"schema.{name}.{module}")
        for name in schema.DOMAINS
        for module in schema.DOMAIN_MODULES
        if importlib.util.find_spec(f"schema.{name}.{module}") is not None
    ]


def _held(*modules: types.ModuleType) -> list[Any]:
    """The attributes of ``modules`` (all listed modules by default), tuples unpacked."""
    return [
        value
        for module in modules or _listed_modules()
        for held in vars(module).values()
        for value in (held if isinstance(held, tuple) else (held,))
    ]


async def _body(tx: Tx) -> dict[str, Any]:
    return {}


def test_every_declaration_of_the_listed_modules_is_in_the_schema(graphql_schema: Any) -> None:
    in_modules = {value.name for value in _held() if isinstance(value, MutationDef)}
    assert in_modules == set(declared()) == set(graphql_schema.mutation_type.fields)
    subscriptions = schema.declarations().subscriptions
    assert set(subscriptions) == set(graphql_schema.subscription_type.fields)
    for name in schema.DOMAINS:
        assert isinstance(importlib.import_module(f"schema.{name}").DOMAIN, Domain)


def test_a_declaration_outside_the_listed_modules_is_not_collected() -> None:
    stray = mutation(description="x", returns={"n": int}, name="strayProbe")(_body)
    assert isinstance(stray, MutationDef)
    assert "strayProbe" not in declared()
    assert "strayProbe" not in schema.declarations().mutations


def test_a_name_declared_twice_fails_the_collection() -> None:
    first = types.ModuleType("first")
    second = types.ModuleType("second")
    first.probe = mutation(description="x", returns={"n": int}, name="twiceProbe")(_body)  # type: ignore[attr-defined]
    second.probe = mutation(description="y", returns={"n": int}, name="twiceProbe")(_body)  # type: ignore[attr-defined]
    for order in ((first, second), (second, first)):
        with pytest.raises(ValueError, match="twiceProbe declared twice"):
            collect([], order)
    events = types.ModuleType("events")
    for attr in ("a", "b"):  # two declarations of one name, in one module
        setattr(
            events,
            attr,
            subscription(
                "probeEvents",
                event="ProbeEvent",
                description="x",
                topics=(Topic.WALLET_CHANGED,),
                fields={"n": Value(int, "n", "n")},
            ),
        )
    with pytest.raises(ValueError, match="SubscriptionDef probeEvents declared twice"):
        collect([], [events])
    # The same declaration imported into a second module is one declaration.
    second.probe = first.probe  # type: ignore[attr-defined]
    assert list(collect([], [first, second]).mutations) == ["twiceProbe"]
    assert isinstance(vars(events)["a"], SubscriptionDef)


def test_domains_merge_their_tables_fields_and_root_rows() -> None:
    row = RowField("users", "id", "The viewer.")
    added = AddedField("habits", "probe", lambda factory: None)
    specs, rows = merge_domains(
        [Domain(tables=(TableSpec("habits", search=("name",)),)), Domain(fields=(added,))]
    )
    assert specs["habits"].search == ("name",) and "probe" in specs["habits"].extra_fields
    with pytest.raises(ValueError, match="declared twice"):
        merge_domains(
            [Domain(tables=(TableSpec("habits"),)), Domain(tables=(TableSpec("habits"),))]
        )
    with pytest.raises(ValueError, match="declared twice"):
        merge_domains([Domain(fields=(added,)), Domain(fields=(added,))])
    with pytest.raises(ValueError, match="root row field"):
        merge_domains([Domain(root_rows={"me": row}), Domain(root_rows={"me": row})])
    with pytest.raises(TypeError, match="DOMAIN"):
        collect([types.ModuleType("schema.nothing")], [])
    assert rows == {}


def test_generated_resolvers_have_real_signatures(built: Any, graphql_schema: Any) -> None:
    for type_name, field_name in (
        ("Mutation", "purchaseMarketItem"),
        ("PurchaseMarketItemSuccess", "purchase"),
        ("Query", "marketItem"),
        ("Query", "marketItems"),
        ("Subscription", "walletChanged"),
        ("WalletChangedEvent", "wallet"),
    ):
        resolver = graphql_schema.get_type(type_name).fields[field_name].resolve
        if resolver is None:
            resolver = graphql_schema.get_type(type_name).fields[field_name].subscribe
        assert resolver is not None, (type_name, field_name)
    for fn in _generated_functions(built):
        assert "__signature__" not in vars(fn), fn


def _generated_functions(built: Any) -> list[Any]:
    """The resolvers Strawberry holds for the schema's generated fields."""
    found = []
    for definition in built.schema_converter.type_map.values():
        fields = getattr(getattr(definition, "definition", None), "fields", None) or []
        for field in fields:
            resolver = getattr(field, "base_resolver", None)
            if resolver is not None and inspect.isfunction(resolver.wrapped_func):
                found.append(resolver.wrapped_func)
    assert len(found) > 500
    return found


def test_no_declaration_is_left_out_of_its_module() -> None:
    """A bare ``subscription(...)`` call, or a ``@mutation`` on a nested function, declares
    nothing the schema sees: each declaration call of a listed module must be kept as one of
    its attributes."""
    for module in _listed_modules():
        source = inspect.getsource(module)
        calls = source.count("\n@mutation(") + source.count("= subscription(\n")
        calls += source.count("\nsubscription(")  # a bare call: counted, never collected
        # create, update, retire; a bare call is counted and never collected
        calls += 3 * (source.count("= catalog_mutations(") + source.count("\ncatalog_mutations("))
        # create, update, delete of a row kind the viewer owns (schema/core/crud.py)
        calls += 3 * (source.count("= owned_mutations(") + source.count("\nowned_mutations("))
        kept = sum(isinstance(value, MutationDef | SubscriptionDef) for value in _held(module))
        assert kept == calls, module.__name__
