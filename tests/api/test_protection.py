"""Protection (docs/design.md#graphql-conventions): depth, alias and token limits that count
fragments too, no introspection in production, unexpected errors masked behind a logged id. (The
codes and the other limits: test_limits.py; the cost limit: test_cost.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.context import Context, Reader
from gateway.settings import Settings
from schema import build_schema


async def _run(schema: Any, engine: Any, settings: Settings, query: str) -> list[str]:
    context = Context(settings=settings, engine=engine, reader=Reader(engine))
    result = await schema.execute(query, context_value=context)
    return [e.message for e in result.errors or []]


async def test_depth_limit_counts_fragments(execute: Any) -> None:
    level = "completions {{ edges {{ node {{ habit {{ {} }} }} }} }}"
    inner = "name"
    for _ in range(3):
        inner = level.format(inner)
    deep = f"fragment Deeper on Habit {{ {inner} }} "
    deep += "{ me { habits { edges { node { ...Deeper } } } } }"
    result = await execute(deep)
    assert result.errors == [
        "The operation nests 17 fields deep (fragments included); the limit is 15."
    ]


async def test_alias_limit(execute: Any) -> None:
    aliased = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(31)) + " }"
    result = await execute(aliased)
    assert result.errors == [
        "The operation uses 31 aliases (fragments counted at every spread); the limit is 30."
    ]


async def test_token_limit(execute: Any) -> None:
    huge = "{ " + " ".join("me { id }" for _ in range(2000)) + " }"
    result = await execute(huge)
    assert result.errors == ["The document has more than 2,000 tokens, the limit."]


@pytest.mark.parametrize("production", [True, False])
async def test_introspection_only_outside_production(
    database_url: str, engine: Any, production: bool
) -> None:
    settings = Settings(database_url=database_url, production=production)
    errors = await _run(build_schema(settings), engine, settings, "{ __schema { types { name } } }")
    assert bool(errors) is production
    suggestions = await _run(
        build_schema(settings), engine, settings, "{ skillDefinitionz { id } }"
    )
    assert any("Did you mean" in e for e in suggestions) is not production


SUGGESTED = [
    "{ exercises(firts: 1) { totalCount } }",  # an argument
    '{ exercises(filter: {serch: "press"}) { totalCount } }',  # an input field
    "{ marketItems(filter: {rarity: [COMON]}) { totalCount } }",  # an enum value
    "query($n: Intt) { exercises(first: $n) { totalCount } }",  # a type
    "{ skillDefinitionz { totalCount } }",  # a field
]


@pytest.mark.parametrize("production", [True, False])
@pytest.mark.parametrize(
    "query", SUGGESTED, ids=["argument", "input field", "enum", "type", "field"]
)
async def test_production_hides_every_suggestion(
    database_url: str, engine: Any, production: bool, query: str
) -> None:
    settings = Settings(database_url=database_url, production=production)
    errors = await _run(build_schema(settings), engine, settings, query)
    assert errors
    assert any("Did you mean" in e for e in errors) is not production, errors


async def test_introspection_is_answered_from_a_result_built_once(
    database_url: str, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GraphiQL's introspection query executes once per schema (in the introspection thread);
    later requests get the same result without executing; a document with variables is
    executed every time (its answer depends on them)."""
    import threading

    from graphql import get_introspection_query

    import schema.core.protection as protection

    settings = Settings(database_url=database_url)
    built = build_schema(settings)
    runs: list[str] = []
    real_execute = protection.execute

    def counting_execute(*args: Any, **kwargs: Any) -> Any:
        runs.append(threading.current_thread().name)
        return real_execute(*args, **kwargs)

    monkeypatch.setattr(protection, "execute", counting_execute)
    query = get_introspection_query(descriptions=True)
    context = Context(settings=settings, engine=engine, reader=Reader(engine))
    first = await built.execute(query, context_value=context)
    second = await built.execute(query, context_value=context)
    assert not first.errors and first.data == second.data
    assert len(runs) == 1 and runs[0].startswith("introspection")
    by_name = "query($name: String!) { __type(name: $name) { name } }"
    for name in ("User", "Habit"):
        result = await built.execute(by_name, variable_values={"name": name}, context_value=context)
        assert result.data == {"__type": {"name": name}}
    assert len(runs) == 3
