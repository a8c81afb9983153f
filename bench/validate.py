"""The worst parse + validation time of adversarial documents within the request limits.

Run from the repository root::

    python -m bench.validate            # default settings (IGNITION_* variables apply)
    python -m bench.validate --runs 9   # more repetitions per document

Each document is built against the configured limits (schema/core/protection.py): as large
as the limits allow (many repeated fields, many fragments spread many times, deep fragment
chains, long strings, many variables, operations, directives, list items...), plus the abusive
documents that the limits refuse. Every document goes through exactly what a
request goes through before execution: :func:`parse_document`, then
:func:`validate_document` (shape limits, then graphql-core's validation with the schema's
rules), then the cost estimate, with the parse and validation caches cleared before each run.
It prints, per document, the outcome (accepted or the refusal's code), the size, and the
median and worst time over the runs; then the worst time of any document the limits accept.
No database is needed. This is a benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
    specified_rules,
)
from rich.console import Console
from rich.table import Table

from gateway.settings import Settings
from schema import build_schema
from schema.core.build import request_limits
from schema.core.cost import document_shape, shape_errors
from schema.core.protection import (
    RequestLimits,
    _analyse,
    _parse,
    check_request,
    parse_document,
)


@dataclass(frozen=True)
class Case:
    """One adversarial document: its name, what it attacks and its text."""

    name: str
    attack: str
    document: str


def _within(document: str, limits: RequestLimits) -> bool:
    """Whether a document passes the checks made before graphql-core's validation."""
    try:
        parsed = parse_document(document, limits)
    except GraphQLError:
        return False
    return not shape_errors(document_shape(parsed, limits), limits)


def _largest(make: Callable[[int], str], limits: RequestLimits, high: int = 20_000) -> str:
    """``make(k)`` for the largest ``k`` whose document the limits let through to validation
    (binary search; ``make(1)`` when none does)."""
    low = 1
    while low < high:
        middle = (low + high + 1) // 2
        if _within(make(middle), limits):
            low = middle
        else:
            high = middle - 1
    return make(low)


def _cases(user: GraphQLObjectType, limits: RequestLimits) -> list[Case]:
    """The documents: the abusive ones, then each attack grown as large as the
    limits let through to validation (sizes found by binary search against the limits)."""
    scalars = [n for n, f in user.fields.items() if is_leaf_type(get_named_type(f.type))]
    back = [
        n
        for n, f in user.fields.items()
        if not f.args and "user" in getattr(get_named_type(f.type), "fields", {})
    ]
    cases: list[Case] = []

    def fixed(name: str, attack: str, document: str) -> None:
        cases.append(Case(name, attack, document))

    def grown(name: str, attack: str, make: Callable[[int], str]) -> None:
        cases.append(Case(name, attack, _largest(make, limits)))

    fixed("me{id} x990", "990 copies of `me { id }` (5 KB)", "{" + " me { id }" * 990 + " }")
    fixed(
        "1 MB search",
        "a 1 MB string literal",
        '{ exercises(filter: {search: "' + "a" * 1_000_000 + '"}) { totalCount } }',
    )
    bomb = "{ me { ...L0 } } " + " ".join(
        f"fragment L{i} on User {{ "
        + " ".join(f"{o} {{ user {{ ...L{i + 1} }} }}" for o in back[:8])
        + " }"
        for i in range(12)
    )
    fixed(
        "fragment bomb",
        "12 fragment levels, each spreading the next 8 times",
        bomb + (" fragment L12 on User { id }"),
    )
    fixed("introspection", "GraphiQL's introspection query", get_introspection_query(True))
    # -- repeated selections: OverlappingFieldsCanBeMergedRule compares them pair by pair
    grown("repeated field", "`me { id }` repeated", lambda k: "{" + " me { id }" * k + " }")
    grown(
        "repeated subtree",
        "`me { <every scalar> }` repeated",
        lambda k: "{" + f" me {{ {' '.join(scalars)} }}" * k + " }",
    )
    grown(
        "every field repeated",
        "each scalar of User repeated",
        lambda k: "{ me { " + " ".join(f"{s} " * k for s in scalars) + " } }",
    )
    grown(
        "aliases x fields",
        "aliased `me` copies, each selecting every scalar",
        lambda k: "{ " + " ".join(f"a{i}: me {{ {' '.join(scalars)} }}" for i in range(k)) + " }",
    )
    # -- fragments
    grown(
        "fragment fan",
        "fragments spread in one selection set, each spreading one more",
        lambda k: (
            "{ me { "
            + " ".join(f"...F{i}" for i in range(k))
            + " } } "
            + " ".join(f"fragment F{i} on User {{ ...G }}" for i in range(k))
            + " fragment G on User { id }"
        ),
    )
    grown(
        "fragment chain",
        "a chain of fragments, each spreading the next",
        lambda k: (
            "{ me { ...C0 } } "
            + " ".join(f"fragment C{i} on User {{ id ...C{i + 1} }}" for i in range(k))
            + f" fragment C{k} on User {{ id }}"
        ),
    )
    grown(
        "fragments x places",
        "one fragment per scalar, spread in copies of `me`",
        lambda k: (
            "{"
            + f" me {{ {' '.join(f'...D{i}' for i in range(len(scalars)))} }}" * k
            + " } "
            + " ".join(f"fragment D{i} on User {{ {s} }}" for i, s in enumerate(scalars))
            + ""
        ),
    )
    grown(
        "fragment spread everywhere",
        "one large fragment spread under many different fields",
        lambda k: (
            "{ me { "
            + " ".join(f"a{i}: wallet {{ user {{ ...U }} }}" for i in range(k))
            + " } } fragment U on User { "
            + " ".join(scalars)
            + " }"
        ),
    )
    grown(
        "deep",
        "nesting down to the depth limit",
        lambda k: "{ me { " + "wallet { user { " * k + "id" + " } }" * k + " } }",
    )
    # -- size: long strings, comments, lists, variables, directives, operations
    grown(
        "long string",
        "a string literal",
        lambda k: '{ exercises(filter: {search: "' + "a" * (k * 100) + '"}) { totalCount } }',
    )
    grown(
        "long block string",
        "a block string of short indented lines (dedent)",
        lambda k: (
            '{ exercises(filter: {search: """' + "  a\n" * (k * 25) + '"""}) { totalCount } }'
        ),
    )
    grown("long comment", "a comment", lambda k: "# " + "a" * (k * 100) + "\n{ me { id } }")
    grown(
        "long list literal",
        "a list argument",
        lambda k: "{ exercises(filter: {category: [" + ' "a"' * k + "]}) { totalCount } }",
    )
    grown(
        "many variables",
        "variables, all used",
        lambda k: (
            "query Q("
            + " ".join(f"$v{i}: String!" for i in range(k))
            + ") { exercises(filter: {category: ["
            + " ".join(f"$v{i}" for i in range(k))
            + "]}) { totalCount } }"
        ),
    )
    grown(
        "unused variables",
        "variables, none used",
        lambda k: "query Q(" + " ".join(f"$v{i}: Int" for i in range(k)) + ") { me { id } }",
    )
    grown(
        "many directives",
        "directives on one field",
        lambda k: "{ me { id" + " @include(if: true)" * k + " } }",
    )
    grown(
        "many operations",
        "named operations",
        lambda k: " ".join(f"query Q{i} {{ me {{ id }} }}" for i in range(k)),
    )
    grown(
        "many errors",
        "distinct unknown fields (graphql-core stops at 100 errors)",
        lambda k: "{ me { " + " ".join(f"nope{i}" for i in range(k)) + " } }",
    )
    return cases


def _time(schema: object, document: str, limits: RequestLimits) -> tuple[float, float, str]:
    """One cold run of what a request does before execution: (CPU s, wall s, outcome)."""
    gql = schema._schema  # type: ignore[attr-defined]
    rules = tuple(specified_rules)  # what Strawberry validates with (types/execution.py)
    _parse.cache_clear()
    _analyse.cache_clear()
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = "accepted"
    try:
        parsed = parse_document(document, limits)
        errors, _ = check_request(gql, parsed, rules, None, {}, limits)
        if errors:
            outcome = _describe(errors[0])
    except GraphQLError as error:
        outcome = _describe(error)
    return time.process_time() - cpu, time.perf_counter() - wall, outcome


def _describe(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    return str(code) if code else f"invalid: {error.message[:40]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per document")
    args = parser.parse_args(argv)
    settings = Settings()
    limits = request_limits(settings)
    schema = build_schema(settings)
    user = schema._schema.get_type("User")
    assert isinstance(user, GraphQLObjectType)
    cases = _cases(user, limits)
    gc.collect()
    gc.freeze()  # as the server does after startup (gateway/app.py)
    console = Console(width=160)
    table = Table(
        title=f"parse + shape + validate + cost, {args.runs} cold runs each (CPU time of this "
        "process, so other load on the machine counts little; wall time for comparison)"
    )
    for column in ("document", "outcome", "chars", "CPU min", "CPU median", "wall median"):
        table.add_column(column, justify="left" if column in ("document", "outcome") else "right")
    table.add_column("attack")
    worst = (0.0, "")
    for case in cases:
        cpu: list[float] = []
        wall: list[float] = []
        outcome = ""
        for _ in range(args.runs):
            cpu_s, wall_s, outcome = _time(schema, case.document, limits)
            cpu.append(cpu_s)
            wall.append(wall_s)
        median = statistics.median(cpu)
        if (outcome == "accepted" or outcome.startswith("invalid")) and median > worst[0]:
            worst = (median, case.name)
        table.add_row(
            case.name,
            outcome,
            f"{len(case.document):,}",
            f"{min(cpu) * 1000:.1f} ms",
            f"{median * 1000:.1f} ms",
            f"{statistics.median(wall) * 1000:.1f} ms",
            case.attack,
        )
    console.print(table)
    console.print(f"limits: {limits}")
    console.print(
        "worst document that reaches graphql-core's validation (accepted or invalid): "
        f"{worst[0] * 1000:.1f} ms CPU, median ({worst[1]})"
    )


if __name__ == "__main__":
    main()
