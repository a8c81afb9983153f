"""Fuzz the GraphQL API with queries generated from its schema (hypothesis-graphql).

No generated query may get HTTP 500 or an error that shows internals
(exception text, SQL, a traceback); an internal failure must be masked as ``Unexpected error
(id ...)``, and every masked error is a bug to fix. The test suite runs 1,000 queries signed
in and 1,000 signed out (``tests/request_path/test_fuzz.py``); this script runs as many as
asked and prints the figures::

    python -m bench.fuzz --database-url postgresql://postgres@127.0.0.1:5432/fuzz -n 5000
    python -m bench.fuzz --url http://127.0.0.1:8000/graphql --token <token> -n 5000

Without ``--url`` it migrates and seeds the database, creates a user (and an admin) with a few
rows, and drives the real view (:class:`gateway.graphql.GatewayGraphQL`) in process, signed
out, signed in and as admin (the same documents for each: :func:`mixed_documents`). Figures:
queries, distinct documents, HTTP statuses, HTTP 500s, unmasked errors, masked errors, and the
wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import graphql
import httpx
import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from gateway.graphql import HTTP_ERROR_CODES
from schema.core import cost
from schema.core.errors import ERROR_CODES

#: ``extensions.code`` values a client may see (schema/core/errors.py, gateway/graphql.py and
#: the limits of schema/core/cost.py); anything else is a finding.
KNOWN_CODES = {
    *ERROR_CODES,
    *HTTP_ERROR_CODES.values(),
    *(value for name, value in vars(cost).items() if name.endswith("_LIMIT_EXCEEDED")),
}
#: Text that must never reach a client: exception names and text, SQL, tracebacks.
LEAKS = re.compile(
    r"Traceback|File \"|sqlalchemy|asyncpg|psycopg|Background on this error|another operation"
    r"|\bSELECT\b|\bFROM\b|\bWHERE\b|KeyError|TypeError|AttributeError|ValueError|IndexError"
    r"|NoneType|object has no attribute|RuntimeError|Exception\b|\[SQL",
)
MASKED = re.compile(r"^Unexpected error \(id [0-9a-f]{12}\); it has been logged\.$")

#: Strategies for the schema's custom scalars: mostly valid values, sometimes junk.
CUSTOM_SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "Date": st.one_of(st.dates().map(str), st.text(max_size=12)).map(nodes.String),
    "DateTime": st.one_of(
        st.datetimes(timezones=st.sampled_from([UTC, None])).map(lambda d: d.isoformat()),
        st.text(max_size=30),
    ).map(nodes.String),
    "BigInt": st.integers().map(nodes.Int),
    "JSON": st.one_of(st.integers().map(nodes.Int), st.text(max_size=20).map(nodes.String)),
}


def query_strategy(
    schema: graphql.GraphQLSchema, mode: Mode, fields: Sequence[str] | None = None
) -> st.SearchStrategy[str]:
    """Query documents over ``schema`` (valid ones, or with one violation), selecting from
    ``fields`` of the root (all by default)."""
    return queries(schema, custom_scalars=CUSTOM_SCALARS, mode=mode, fields=fields)


def per_root_field(schema: graphql.GraphQLSchema, mode: Mode) -> st.SearchStrategy[str]:
    """Documents that each select one root field (any of them, evenly): smaller than
    whole-schema documents and drawn several times faster, so that a thousand of them cover
    every root field with its arguments within seconds."""
    assert schema.query_type is not None
    return st.one_of([query_strategy(schema, mode, [name]) for name in schema.query_type.fields])


def generate(
    schema: graphql.GraphQLSchema,
    count: int,
    *,
    mode: Mode,
    seed: int,
    whole_schema: bool = True,
) -> list[str]:
    """``count`` documents drawn by Hypothesis, deterministically for a ``seed``: each selects
    from the whole root, or (``whole_schema=False``) one root field (:func:`per_root_field`).

    Only Hypothesis's generate phase runs (no shrinking): the documents are collected here and
    sent afterwards, so that the HTTP side stays plain async code.
    """
    drawn: list[str] = []
    strategy = query_strategy(schema, mode) if whole_schema else per_root_field(schema, mode)

    @hypothesis.seed(seed)
    @settings(
        max_examples=count,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=strategy)
    def collect(query: str) -> None:
        drawn.append(query)

    collect()
    return drawn


def mixed_documents(schema: graphql.GraphQLSchema, count: int, seed: int) -> list[str]:
    """``count`` documents: 40 % valid whole-schema ones, 40 % valid one-root-field ones, 20 %
    one-root-field ones with a schema violation."""
    whole = count * 2 // 5
    invalid = count // 5
    return [
        *generate(schema, whole, mode=Mode.POSITIVE, seed=seed),
        *generate(
            schema, count - whole - invalid, mode=Mode.POSITIVE, seed=seed, whole_schema=False
        ),
        *generate(schema, invalid, mode=Mode.NEGATIVE, seed=seed, whole_schema=False),
    ]


@dataclass
class Report:
    """What a fuzz run found."""

    queries: int = 0
    documents: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    http_500: list[str] = field(default_factory=list)
    unmasked: list[tuple[str, str]] = field(default_factory=list)
    masked: list[tuple[str, str]] = field(default_factory=list)

    def add(self, query: str, status: int, body: Any) -> None:
        """Judge one answer."""
        self.queries += 1
        self.documents.add(query)
        self.statuses[status] += 1
        if status >= 500 and status != 504:
            self.http_500.append(query)
        errors = body.get("errors") if isinstance(body, dict) else None
        if not isinstance(body, dict) or ("data" not in body and not errors):
            self.unmasked.append((query, f"not a GraphQL response: {str(body)[:200]}"))
            return
        for error in errors or ():
            message = str(error.get("message", ""))
            code = (error.get("extensions") or {}).get("code")
            if code == "INTERNAL_SERVER_ERROR" and MASKED.match(message):
                self.masked.append((query, message))
            elif LEAKS.search(message) or code not in KNOWN_CODES:
                self.unmasked.append((query, f"{code}: {message[:300]}"))

    def merge(self, other: Report) -> None:
        self.queries += other.queries
        self.documents |= other.documents
        self.statuses.update(other.statuses)
        self.http_500 += other.http_500
        self.unmasked += other.unmasked
        self.masked += other.masked

    @property
    def clean(self) -> bool:
        """No HTTP 500, no unmasked error, no masked (internal) error."""
        return not (self.http_500 or self.unmasked or self.masked)

    def summary(self) -> str:
        lines = [
            f"queries {self.queries}, distinct documents {len(self.documents)}, "
            f"HTTP statuses {dict(sorted(self.statuses.items()))}",
            f"HTTP 500: {len(self.http_500)}, unmasked errors: {len(self.unmasked)}, "
            f"masked (internal) errors: {len(self.masked)}",
        ]
        for query in self.http_500[:3]:
            lines.append(f"  500 for: {query[:500]}")
        for query, message in (self.unmasked + self.masked)[:5]:
            lines.append(f"  {message}\n    for: {query[:500]}")
        return "\n".join(lines)


async def send_all(
    client: httpx.AsyncClient,
    documents: Sequence[str],
    headers: dict[str, str] | None = None,
    *,
    concurrency: int = 4,
) -> Report:
    """POST every document to ``client`` (its base URL is the endpoint) and judge the answers."""
    report = Report()
    limit = asyncio.Semaphore(concurrency)

    async def one(query: str) -> None:
        async with limit:
            response = await client.post("", json={"query": query}, headers=headers or {})
        try:
            body = response.json()
        except ValueError:
            body = response.text
        report.add(query, response.status_code, body)

    await asyncio.gather(*(one(q) for q in documents))
    return report


async def _in_process(args: argparse.Namespace, schema: graphql.GraphQLSchema) -> Report:
    import sqlalchemy as sa

    from db import metadata
    from db.auth.viewer import create_session_token
    from gateway.bootstrap import prepare_database
    from gateway.database import create_engine
    from gateway.graphql import GatewayGraphQL
    from gateway.settings import Settings

    await prepare_database(args.database_url, seed=True)
    gateway_settings = Settings(database_url=args.database_url)
    engine = create_engine(gateway_settings)
    try:
        tokens: dict[str, str] = {}
        async with engine.begin() as conn:
            from db.auth.users import create_user

            for who, admin in (("user", False), ("admin", True)):
                email = f"fuzz-{who}-{time.time_ns()}@example.com"
                user = (await create_user(conn, email=email, name=f"Fuzz {who}", admin=admin)).id
                await conn.execute(
                    sa.insert(metadata.tables["habits"]).values(
                        user_id=user, name="Scales", frequency="daily"
                    )
                )
                tokens[who] = await create_session_token(conn, user)
        view = GatewayGraphQL(gateway_settings, lambda: engine)
        transport = httpx.ASGITransport(app=view)
        report = Report()
        async with httpx.AsyncClient(transport=transport, base_url="http://fuzz/graphql") as c:
            started = time.perf_counter()
            documents = mixed_documents(schema, args.n, args.seed)
            print(f"generated {len(documents)} documents in {time.perf_counter() - started:.1f} s")
            for who in ("anonymous", "user", "admin"):
                headers = {} if who == "anonymous" else {"Authorization": f"Bearer {tokens[who]}"}
                started = time.perf_counter()
                part = await send_all(c, documents, headers)
                print(
                    f"{who:9} {part.queries} queries in {time.perf_counter() - started:.1f} s: "
                    f"{len(part.http_500)} HTTP 500, {len(part.unmasked)} unmasked, "
                    f"{len(part.masked)} masked",
                    flush=True,
                )
                report.merge(part)
        return report
    finally:
        await engine.dispose()


async def _over_http(args: argparse.Namespace, schema: graphql.GraphQLSchema) -> Report:
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    report = Report()
    async with httpx.AsyncClient(base_url=args.url, timeout=60) as client:
        report.merge(await send_all(client, mixed_documents(schema, args.n, args.seed), headers))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fuzzer; exit status 1 when it found anything."""
    import os

    from schema import build_schema

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n", type=int, default=3000, help="documents (default 3000), sent once per viewer"
    )
    parser.add_argument("--seed", type=int, default=0, help="generation seed")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--url", help="fuzz a running server's /graphql instead")
    parser.add_argument("--token", help="bearer token for --url")
    args = parser.parse_args(argv)
    schema = build_schema()._schema
    started = time.perf_counter()
    if args.url:
        report = asyncio.run(_over_http(args, schema))
    elif args.database_url:
        report = asyncio.run(_in_process(args, schema))
    else:
        parser.error("give --database-url (or DATABASE_URL) or --url")
    print(report.summary())
    print(f"wall time {time.perf_counter() - started:.1f} s")
    return 0 if report.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
