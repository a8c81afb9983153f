"""Both read paths on one request: the general Strawberry path and the compiled statement.

:func:`compare` runs an operation's compiled statement (when the compiler covers it) on the
caller's connection and checks that its JSON equals the general path's ``data`` byte for byte
after key ordering (orjson keeps ``7.0`` and ``7`` apart), and that every request the general
path answers with an error is one the compiler leaves to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import ExecutionResult

from db.auth.viewer import Viewer
from schema.compiler import Compiler, NotCovered


@dataclass
class Outcome:
    """What the compiled path did with a request: ``covered`` (then ``same`` says whether
    the JSON matched), and the two JSON texts for a failure message."""

    covered: bool
    same: bool
    general: bytes
    compiled: bytes | None
    reason: str = ""


def normalised(data: Any) -> bytes:
    """``data`` as JSON with sorted keys (orjson: ints and floats stay distinct)."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


async def compiled_data(
    compiler: Compiler,
    conn: AsyncConnection,
    query: str,
    variables: dict[str, Any] | None,
    viewer: Viewer | None,
    operation_name: str | None = None,
) -> str | None:
    """The compiled path's ``data`` JSON text, run on ``conn`` (its transaction, so it sees
    the caller's uncommitted rows), or None when the compiler does not cover the request."""
    try:
        prepared = compiler.prepare(query, operation_name, variables, viewer)
    except NotCovered:
        return None
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    text: str = await driver.fetchval(prepared.sql, *prepared.args)
    return text


async def compare(
    compiler: Compiler,
    conn: AsyncConnection,
    result: ExecutionResult,
    query: str,
    variables: dict[str, Any] | None,
    viewer: Viewer | None,
    operation_name: str | None = None,
) -> Outcome:
    """Run the compiled path for a request whose general-path ``result`` is given."""
    general = normalised(result.data)
    text = await compiled_data(compiler, conn, query, variables, viewer, operation_name)
    if text is None:
        return Outcome(False, True, general, None)
    compiled = normalised(orjson.loads(text))
    if result.errors:
        errors = [e.message for e in result.errors]
        return Outcome(True, False, general, compiled, f"the general path reported {errors}")
    return Outcome(True, compiled == general, general, compiled)


def assert_same(outcome: Outcome, query: str, variables: Any = None) -> None:
    """Fail with both JSON texts when the compiled path answered differently."""
    assert outcome.same, (
        f"compiled path differs ({outcome.reason}) for\n{query}\nvariables {variables}\n"
        f"general:  {outcome.general[:2000]!r}\ncompiled: {(outcome.compiled or b'')[:2000]!r}"
    )
