"""The README's example queries run without errors (as a new user with a token would)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from schema.core.strawberry_adapter import graphql_core_schema
from tests.factories import make_user

README = Path(__file__).resolve().parents[2] / "README.md"
#: The section "From sign-in to Today" runs in tests/auth/test_readme_sign_in.py (its calls
#: commit, in order, with two tokens).
SIGN_IN_SECTION = re.compile(r"^## From sign-in to Today\n.*?(?=^## )", re.S | re.M)
BLOCKS = re.findall(r"```graphql\n(.*?)```", SIGN_IN_SECTION.sub("", README.read_text()), re.S)
MUTATIONS = [block for block in BLOCKS if re.search(r"^mutation\b", block, re.M)]
QUERIES = [
    block for block in BLOCKS if not block.startswith("subscription") and block not in MUTATIONS
]
SUBSCRIPTIONS = [block for block in BLOCKS if block.startswith("subscription")]


#: The mutation examples, by operation name: the purchase and one per other domain.
DOMAIN_EXAMPLES = (
    "Buy",
    "Focus",
    "Habit",
    "Quest",
    "Drill",
    "Workout",
    "Book",
    "Goal",
    "Plan",
    "Track",
    "Idea",
)


def test_the_readme_shows_three_queries_and_a_mutation_per_domain() -> None:
    assert len(QUERIES) == 3
    # The mutations run in tests/market/test_readme_purchase.py and
    # tests/api/test_readme_mutations.py
    # (mutations commit).
    names = tuple(re.search(r"^mutation (\w+)", m, re.M).group(1) for m in MUTATIONS)  # type: ignore[union-attr]
    assert names == DOMAIN_EXAMPLES


@pytest.mark.parametrize("query", QUERIES, ids=["dashboard", "ledger", "catalogs"])
async def test_readme_query_runs(execute: Any, db_conn: Any, query: str) -> None:
    user = await make_user(db_conn)
    result = await execute(query, viewer=user)
    assert not result.errors, result.errors
    assert all(value is not None for value in result.data.values())


def test_the_readme_subscription_is_valid(schema: Any) -> None:
    from graphql import parse, validate

    assert len(SUBSCRIPTIONS) == 1
    assert validate(graphql_core_schema(schema), parse(SUBSCRIPTIONS[0])) == []
