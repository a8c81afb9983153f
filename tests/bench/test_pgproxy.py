"""bench/pgproxy.py: the counting PostgreSQL proxy of the PostGraphile comparison, against the
real PostgreSQL of the test run (no Node needed)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bench.pgproxy import Counts, PgProxy, classify, running_proxy
from tests.conftest import PostgresServer


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("BEGIN", "control"),
        ("begin isolation level read committed", "control"),
        ("START TRANSACTION", "control"),
        ("COMMIT;", "control"),
        ("rollback", "control"),
        ("SET LOCAL statement_timeout = 5", "control"),
        ("/* x */ select set_config('role', $1, true)", "control"),
        (
            "select pg_catalog.set_config(el->>0, el->>1, true) from json_array_elements($1) el",
            "control",
        ),
        (";", "empty"),
        ("  ", "empty"),
        ("SELECT 1", "query"),
        ("-- settings\nselect settings from t", "query"),
        ("with begin_at as (select 1) select * from begin_at", "query"),
    ],
)
def test_classify(text: str, kind: str) -> None:
    assert classify(text) == kind


def _connect_args(server: PostgresServer) -> dict[str, object]:
    url = make_url(server.admin_url)
    return {"user": url.username, "password": url.password, "database": url.database}


async def test_counts_statements_of_a_real_connection(postgres_server: PostgresServer) -> None:
    """asyncpg through the proxy (its SSLRequest answered 'N'): one simple query and two
    extended-protocol executions, counted by message and by kind; the results come back."""
    url = make_url(postgres_server.admin_url)
    proxy = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    port = await proxy.start()
    try:
        conn = await asyncpg.connect(
            host="127.0.0.1", port=port, ssl="prefer", **_connect_args(postgres_server)
        )
        try:
            before = proxy.totals()
            assert await conn.fetchval("SELECT $1::int + 1", 41) == 42
            await conn.execute("SET application_name = 'pgproxy-test'")
            assert await conn.fetchval("SELECT current_setting('application_name')") == (
                "pgproxy-test"
            )
            delta = proxy.totals().minus(before)
        finally:
            await conn.close()
        assert proxy.connections == 1
        assert delta.simple == 1
        assert delta.executes == 2
        assert delta.parses == 2
        assert (delta.queries, delta.control, delta.empty) == (2, 1, 0)
        assert delta.statements == 3
        # Counts survive the connection's end.
        assert proxy.totals().minus(before).statements == 3
        assert proxy.texts["SET application_name = 'pgproxy-test'"] == 1
        assert proxy.texts["SELECT $1::int + 1"] == 1
    finally:
        await proxy.close()


async def test_transaction_control_and_pings(postgres_server: PostgresServer) -> None:
    """A transaction (BEGIN/COMMIT as simple queries) around an empty statement, as a pool's
    pre-ping sends it: control 2, empty 1, queries 0; the thread wrapper reads the same."""
    url = make_url(postgres_server.admin_url)
    with running_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        conn = await asyncpg.connect(
            host="127.0.0.1", port=proxy.port, **_connect_args(postgres_server)
        )
        try:
            before = proxy.totals()
            async with conn.transaction():
                await conn.fetchrow(";")
            delta = proxy.totals().minus(before)
        finally:
            await conn.close()
    assert delta == Counts(simple=2, executes=1, parses=1, queries=0, control=2, empty=1)
