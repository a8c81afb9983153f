"""The README's mutation examples of every domain, run as written by a new user: each
succeeds (the purchase, which needs coins and an item, runs in test_readme_purchase.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.test_readme import SIGN_IN_SECTION
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user

README = Path(__file__).resolve().parents[2] / "README.md"
#: The sign-in section runs in tests/auth/test_readme_sign_in.py (the auth server's call).
_TEXT = SIGN_IN_SECTION.sub("", README.read_text())
EXAMPLES = {
    match.group(1): block
    # The sign-in section runs in tests/auth/test_readme_sign_in.py (the auth server's call).
    for block in re.findall(
        r"```graphql\n(.*?)```", SIGN_IN_SECTION.sub("", README.read_text()), re.S
    )
    if (match := re.search(r"^mutation (\w+)", block, re.M)) and match.group(1) != "Buy"
}

#: Operation -> the variable it takes and the catalog row that fills it (as the README says:
#: an id read from the catalog).
CATALOG_IDS = {
    "Quest": ("questId", "SELECT id FROM universal_quests WHERE is_active ORDER BY sort_order"),
    "Drill": ("drillId", "SELECT id FROM learn_drills ORDER BY sort_order, id"),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
async def test_the_readme_example_runs(name: str, mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    variables: dict[str, str] = {}
    if name in CATALOG_IDS:
        variable, sql = CATALOG_IDS[name]
        async with engine.connect() as conn:
            variables[variable] = str((await conn.execute(sa.text(sql))).scalars().first())
    result = await mutate(EXAMPLES[name], variables, viewer=user)
    assert result.errors == [], result.errors
    (payload,) = result.data.values()
    assert payload["__typename"].endswith("Success"), payload
