"""The input sweep: for every mutation and every argument or input field, nested
ones included, read from the introspection of the running schema (a new mutation is covered
without editing this test), an ``Int`` at int4's extremes, a ``String`` one character past the
bound its description states, an ``ID`` past its length and a list one value past its count
give a typed refusal (``InvalidInput`` naming that field, or a ``BAD_USER_INPUT`` error), never
``INTERNAL_SERVER_ERROR``, and change nothing in the database. Every ``Int`` and ``String``
input must state its bound in its description, once (the sweep reads it there: a hand-written
"1 to 200 characters." beside the generated sentence of another bound fails).

Required arguments get generic fillers (a random UUID where an ID is needed: the bound is
checked before any lookup, so the refusal still names the swept field, not ``NotFound``).

The queries get the same extremes in their arguments and filters (root fields, and the fields
with arguments of the objects a root field returns, such as ``me { habits(first: ...) }``):
never ``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import strawberry
from graphql import introspection_from_schema
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import metadata
from db.bounds import ID_TEXT, INT4_MAX, INT4_MIN
from gateway.settings import Settings
from schema.core.errors import (
    BAD_USER_INPUT,
    INTERNAL_SERVER_ERROR,
    PARSE_FAILED,
    VALIDATION_FAILED,
)
from schema.core.mutations import declared
from schema.core.strawberry_adapter import graphql_core_schema
from tests.support.harness import committed_user, run

#: Codes that would mean the sweep's own document is wrong (or an error went uncoded).
_MALFORMED = {PARSE_FAILED, VALIDATION_FAILED, None}
_INT = re.compile(r"[Ff]rom (-?[\d,]+) to (-?[\d,]+)")
_TEXT = re.compile(r"(?:([\d,]+) to|[Aa]t most) ([\d,]+) characters")
_ITEMS = re.compile(r"At most ([\d,]+) values")
#: The extremes of each numeric type.
_EXTREMES: dict[str, tuple[Any, ...]] = {
    "Int": (INT4_MIN, INT4_MAX),
    "Float": (-1.7976931348623157e308, 1.7976931348623157e308),
}
#: The length sent to a ``String`` argument of a query that states no bound.
_UNSTATED = 100_001
#: The scalars with a bound (range, length).
_BOUNDED = ("Int", "Float", "String", "JSON", "ID")
#: The extremes of the date scalars: the first and last day Python and PostgreSQL share, with
#: the offsets that take them past year 1 or 9999 in UTC.
_DATES: dict[str, tuple[str, ...]] = {
    "Date": ("0001-01-01", "9999-12-31"),
    "DateTime": ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"),
}

Ref = dict[str, Any]


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _named(ref: Ref) -> Ref:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref


def _is_list(ref: Ref) -> bool:
    while ref is not None:
        if ref["kind"] == "LIST":
            return True
        ref = ref.get("ofType")  # type: ignore[assignment]
    return False


def _literal(ref: Ref) -> str:
    """The type of a variable declaration (``[Int!]!``)."""
    if ref["kind"] == "NON_NULL":
        return f"{_literal(ref['ofType'])}!"
    if ref["kind"] == "LIST":
        return f"[{_literal(ref['ofType'])}]"
    return str(ref["name"])


def _required(value: Ref) -> bool:
    return value["type"]["kind"] == "NON_NULL" and value.get("defaultValue") is None


@dataclass(frozen=True)
class Leaf:
    """A scalar input: the chain of input values from the argument down to it."""

    chain: tuple[Ref, ...]

    @property
    def path(self) -> str:
        """The camelCase path ``InvalidInput.field`` names (``input.sortOrder``)."""
        return ".".join(v["name"] for v in self.chain)

    @property
    def scalar(self) -> str:
        return str(_named(self.chain[-1]["type"])["name"])

    @property
    def description(self) -> str:
        return str(self.chain[-1].get("description") or "")


@dataclass(frozen=True)
class Case:
    """One call: ``value`` for ``leaf`` (``what`` says which extreme)."""

    leaf: Leaf
    value: Any
    what: str


class Sweep:
    """The introspected schema and the fillers of required inputs."""

    def __init__(self, schema: strawberry.Schema) -> None:
        data: Any = introspection_from_schema(graphql_core_schema(schema))["__schema"]
        self.types: dict[str, Ref] = {t["name"]: t for t in data["types"]}
        self.mutations: list[Ref] = self.types[data["mutationType"]["name"]]["fields"]
        self.query: list[Ref] = self.types[data["queryType"]["name"]]["fields"]

    def leaves(
        self, values: list[Ref], scalars: tuple[str, ...] = _BOUNDED, chain: tuple[Ref, ...] = ()
    ) -> Iterator[Leaf]:
        """Every input of one of ``scalars`` below ``values`` (nested input objects too)."""
        for value in values:
            named = _named(value["type"])
            here = (*chain, value)
            if named["kind"] == "INPUT_OBJECT" and len(here) < 6:
                fields = self.types[named["name"]]["inputFields"]
                yield from self.leaves(fields, scalars, here)
            elif named["kind"] == "SCALAR" and named["name"] in scalars:
                yield Leaf(here)

    def filler(self, value: Ref) -> Any:
        """A valid value for a required input (within its stated bound)."""
        ref = value["type"]
        if ref["kind"] == "NON_NULL":
            ref = ref["ofType"]
        if ref["kind"] == "LIST":
            return []
        return self._scalar(ref, value)

    def _scalar(self, ref: Ref, value: Ref) -> Any:
        named = _named(ref)
        description = value.get("description") or ""
        if named["kind"] == "ENUM":
            return self.types[named["name"]]["enumValues"][0]["name"]
        if named["kind"] == "INPUT_OBJECT":
            fields = self.types[named["name"]]["inputFields"]
            return {f["name"]: self.filler(f) for f in fields if _required(f)}
        name = named["name"]
        if name in ("Int", "Float"):
            found = _INT.search(description)
            low, high = (_number(found[1]), _number(found[2])) if found else (1, 1)
            return max(low, min(high, 1))
        if name == "String":
            if value["name"] == "idempotencyKey":
                return uuid.uuid4().hex
            if "hex color" in description:
                return "#7c3aed"
            found = _TEXT.search(description)
            return "x" * max(1, _number(found[1]) if found and found[1] else 1)
        if name == "ID":
            return str(uuid.uuid4())
        if name == "Boolean":
            return False
        if name == "JSON":
            return {}
        if name == "Date":
            return datetime.now(UTC).date().isoformat()
        if name == "DateTime":
            return (datetime.now(UTC) + timedelta(days=1)).isoformat()
        raise AssertionError(f"the sweep has no filler for {name} ({value['name']}): add one")

    def cases(self, leaf: Leaf, *, strict: bool) -> Iterator[Case]:
        """The extremes of ``leaf``; ``strict``: its description must state its bound."""
        scalar, description = leaf.scalar, leaf.description
        many = _is_list(leaf.chain[-1]["type"])
        values: list[tuple[Any, str]] = []
        if scalar in _DATES:
            values += [(extreme, f"{scalar} {extreme}") for extreme in _DATES[scalar]]
        elif scalar in _EXTREMES:
            found = _INT.search(description)
            assert found or not strict, f"{leaf.path}: no range in {description!r}"
            assert len(_INT.findall(description)) <= 1, f"{leaf.path}: two ranges stated"
            for extreme in _EXTREMES[scalar]:
                if not found or not _number(found[1]) <= extreme <= _number(found[2]):
                    values.append((extreme, f"{scalar} {extreme}"))
        elif scalar in ("String", "JSON"):
            found = _TEXT.search(description)
            assert found or not strict, f"{leaf.path}: no length in {description!r}"
            assert len(_TEXT.findall(description)) <= 1, f"{leaf.path}: two lengths stated"
            length = _number(found[2]) + 1 if found else _UNSTATED
            values.append(("x" * length, f"String of {length:,} characters"))
        else:
            values.append(("x" * (ID_TEXT.maximum + 1), f"ID of {ID_TEXT.maximum + 1} characters"))
        for value, what in values:
            yield Case(leaf, [value] if many else value, what)
        if many and scalar not in _DATES:
            found = _ITEMS.search(description)
            assert found or not strict, f"{leaf.path}: no count in {description!r}"
            count = _number(found[1]) + 1 if found else _UNSTATED
            one = self._scalar(leaf.chain[-1]["type"], leaf.chain[-1])
            yield Case(leaf, [one] * count, f"{count:,} values")

    def variables(self, field: Ref, case: Case) -> dict[str, Any]:
        """The arguments of one call: fillers for the required ones, ``case.value`` at its
        leaf (inside fillers of the input objects on the way; in the one value of a list of
        input objects on the way)."""
        top = case.leaf.chain[0]
        values = {a["name"]: self.filler(a) for a in field["args"] if _required(a) or a is top}
        if len(case.leaf.chain) == 1:
            values[top["name"]] = case.value
            return values
        node = values[top["name"]] = values[top["name"]] or self._scalar(top["type"], top)
        for step in case.leaf.chain[1:-1]:
            if _is_list(step["type"]):  # a list of input objects: the case goes in its one value
                values_of = node.get(step["name"]) or [self._scalar(step["type"], step)]
                node[step["name"]] = values_of
                node = values_of[0]
            else:
                node = node.setdefault(step["name"], self._scalar(step["type"], step))
        node[case.leaf.chain[-1]["name"]] = case.value
        return values


def _document(kind: str, field: Ref, variables: dict[str, Any], selection: str) -> str:
    declared_args = [a for a in field["args"] if a["name"] in variables]
    head = ", ".join(f"${a['name']}: {_literal(a['type'])}" for a in declared_args)
    call = ", ".join(f"{a['name']}: ${a['name']}" for a in declared_args)
    return f"{kind} Sweep({head}) {{ {field['name']}({call}) {selection} }}"


_PAYLOAD = "{ __typename ... on InvalidInput { field } ... on DomainError { code message } }"


async def _checksums(conn: AsyncConnection) -> dict[str, str]:
    """An md5 of every table's rows (what a refused mutation must leave as it was)."""
    names = sorted(metadata.tables)
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f'FROM "{name}" t) AS c{i}'
        for i, name in enumerate(names)
    )
    row = (await conn.execute(sa.text(f"SELECT {columns}"))).one()
    return dict(zip(names, row, strict=True))


async def test_every_mutation_input_refuses_its_extremes(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    sweep = Sweep(schema)
    assert {m["name"] for m in sweep.mutations} == set(declared())
    viewer = await committed_user(engine, admin=True)
    cases = leaves = 0
    failures: list[str] = []
    async with engine.connect() as conn:
        before = await _checksums(conn)
    for mutation in sweep.mutations:
        for leaf in sweep.leaves(mutation["args"]):
            leaves += 1
            for case in sweep.cases(leaf, strict=leaf.scalar != "ID"):
                cases += 1
                variables = sweep.variables(mutation, case)
                document = _document("mutation", mutation, variables, _PAYLOAD)
                outcome = await run(schema, settings, engine, document, variables, viewer=viewer)
                where = f"{mutation['name']} {leaf.path} ({case.what})"
                if outcome.codes:
                    if set(outcome.codes) != {BAD_USER_INPUT}:
                        failures.append(f"{where}: {outcome.codes} {outcome.errors}")
                else:
                    payload = outcome.data[mutation["name"]]
                    got = (payload["__typename"], payload.get("field"))
                    if got != ("InvalidInput", leaf.path):
                        failures.append(f"{where}: {got} {payload.get('message')}")
                async with engine.connect() as conn:
                    after = await _checksums(conn)
                changed = sorted(t for t in after if after[t] != before[t])
                if changed:
                    failures.append(f"{where}: changed {changed}")
                    before = after
    print(
        f"input sweep: {len(sweep.mutations)} mutations, {leaves} arguments and input fields, "
        f"{cases} cases"
    )
    assert failures == []
    assert len(sweep.mutations) >= 20 and leaves >= 50 and cases >= 60


async def test_every_mutation_date_at_its_extremes_is_no_internal_error(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    """A date may be accepted (a quest expiring in 9999) or refused, never fail."""
    sweep = Sweep(schema)
    viewer = await committed_user(engine, admin=True)
    cases = 0
    failures: list[str] = []
    for mutation in sweep.mutations:
        for leaf in sweep.leaves(mutation["args"], tuple(_DATES)):
            for case in sweep.cases(leaf, strict=False):
                cases += 1
                variables = sweep.variables(mutation, case)
                document = _document("mutation", mutation, variables, _PAYLOAD)
                outcome = await run(schema, settings, engine, document, variables, viewer=viewer)
                if set(outcome.codes) - {BAD_USER_INPUT}:
                    where = f"{mutation['name']} {leaf.path} ({case.what})"
                    failures.append(f"{where}: {outcome.codes} {outcome.errors}")
    print(f"date sweep: {cases} cases")
    assert failures == []
    assert cases >= 4


def _selection(sweep: Sweep, ref: Ref) -> str:
    named = _named(ref)
    return "{ __typename }" if named["kind"] in ("OBJECT", "INTERFACE", "UNION") else ""


async def test_query_arguments_at_their_extremes_are_no_internal_error(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    sweep = Sweep(schema)
    viewer = await committed_user(engine, admin=True)
    targets: list[tuple[Ref, Ref | None]] = [(f, None) for f in sweep.query if f["args"]]
    for root in sweep.query:
        named = _named(root["type"])
        if named["kind"] == "OBJECT" and not any(_required(a) for a in root["args"]):
            targets += [(f, root) for f in sweep.types[named["name"]]["fields"] if f["args"]]
    cases = 0
    failures: list[str] = []
    codes: Counter[str | None] = Counter()
    for field, parent in targets:
        for leaf in sweep.leaves(field["args"], _BOUNDED + tuple(_DATES)):
            for case in sweep.cases(leaf, strict=False):
                cases += 1
                variables = sweep.variables(field, case)
                document = _document("query", field, variables, _selection(sweep, field["type"]))
                if parent is not None:
                    # ``query Sweep(...) { me { habits(...) { __typename } } }``
                    head, body = document.split(" { ", 1)
                    document = f"{head} {{ {parent['name']} {{ {body} }}"
                outcome = await run(schema, settings, engine, document, variables, viewer=viewer)
                codes.update(outcome.codes or ["none"])
                if set(outcome.codes) & _MALFORMED or INTERNAL_SERVER_ERROR in outcome.codes:
                    where = f"{parent['name'] + '.' if parent else ''}{field['name']}"
                    failures.append(f"{where} {leaf.path} ({case.what}): {outcome.errors}")
    print(f"query sweep: {len(targets)} fields, {cases} cases, answers {dict(codes)}")
    assert failures == []
    assert cases >= 100
