"""A cancelled field does not cancel the DataLoader future that other fields share: graphql-core
cancels the siblings of a failing field, and the same key may be awaited elsewhere in the
response (found by the differential tests: ``CancelledError`` aborted a whole operation)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from schema.core.loaders import _Loader


class _SlowEcho(_Loader):
    """Answers each key with itself, after a short wait (a batch statement in flight)."""

    async def batch_load_fn(self, keys: Sequence[Any]) -> list[Any]:
        await asyncio.sleep(0.05)
        return list(keys)


async def test_cancelling_one_caller_leaves_the_others_their_value() -> None:
    loader = _SlowEcho(None, "SlowEchoLoader")  # type: ignore[arg-type]

    async def field(key: int) -> Any:
        return await loader.load(key)

    cancelled = asyncio.ensure_future(field(1))
    survivor = asyncio.ensure_future(field(1))
    await asyncio.sleep(0)  # both wait for the same batch
    cancelled.cancel()
    assert await survivor == 1
    assert cancelled.cancelled()
    # The cached value is intact for later callers too.
    assert await loader.load(1) == 1
