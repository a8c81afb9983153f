"""Examples of the content catalogs' staff mutations (``catalog:manage``): the create, update
and retire mutations of every catalog of schema/core/catalog.py, each attempt on fresh rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.admin.content_calls import (
    CATALOGS,
    TEXT_FIELDS,
    create_doc,
    make_row,
    retire_doc,
    unique,
    update_doc,
    valid_input,
)
from tests.admin.examples import Example


def _examples(stem: str) -> dict[str, Example]:
    _, verb = CATALOGS[stem]

    async def create(engine: AsyncEngine) -> dict[str, Any]:
        return {"input": await valid_input(engine, stem)}

    async def update(engine: AsyncEngine) -> dict[str, Any]:
        return {"id": await make_row(engine, stem), "input": {TEXT_FIELDS[stem]: f"Now {unique()}"}}

    async def retire(engine: AsyncEngine) -> dict[str, Any]:
        return {"id": await make_row(engine, stem)}

    return {
        f"create{stem}": Example(create_doc(stem), create),
        f"update{stem}": Example(update_doc(stem), update),
        f"{verb}{stem}": Example(retire_doc(stem), retire),
    }


EXAMPLES: dict[str, Example] = {
    name: example for stem in CATALOGS for name, example in _examples(stem).items()
}
