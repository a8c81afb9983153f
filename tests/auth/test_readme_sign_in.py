"""The README's "From sign-in to Today" runs as written: the sign-in server's mutation with the
variables shown, then each of the app's calls with the token it returned."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import strawberry
from graphql import OperationDefinitionNode, parse, print_ast
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.settings import Settings
from tests.auth.harness import auth_server, signed_in
from tests.support.requests import run_request

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = re.search(r"^## From sign-in to Today\n(.*?)(?=^## )", README.read_text(), re.S | re.M)
assert SECTION is not None
BLOCKS = re.findall(r"```graphql\n(.*?)```", SECTION.group(1), re.S)


def _variables(block: str) -> dict[str, Any]:
    """The JSON written after ``# variables:`` in a block's comment lines."""
    lines = block[block.index("# variables:") :].splitlines()
    text = " ".join(line.lstrip("#").strip() for line in lines)
    return dict(json.loads(text.removeprefix("variables:").strip()))


async def test_the_sign_in_sequence_runs_as_written(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    assert len(BLOCKS) == 2
    sign_in, app_calls = BLOCKS
    variables = _variables(sign_in)
    # A fresh account and address, so that the run does not depend on earlier ones.
    variables["input"]["providerAccountId"] += "-readme"
    variables["input"]["email"] = "readme-" + variables["input"]["email"]
    server = await auth_server(engine)

    result = (await run_request(schema, settings, engine, sign_in, variables, server))[0]
    assert not result.errors and result.data is not None, result.errors
    payload = result.data["signInWithAccount"]
    assert payload["__typename"] == "SignInWithAccountSuccess" and payload["created"] is True

    operations = [d for d in parse(app_calls).definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 4
    for operation in operations:
        viewer = await signed_in(engine, payload["token"])
        done = (await run_request(schema, settings, engine, print_ast(operation), None, viewer))[0]
        assert not done.errors and done.data is not None, (print_ast(operation), done.errors)
        data = done.data
        for value in data.values():
            if isinstance(value, dict) and "__typename" in value:
                assert value["__typename"].endswith("Success"), value
    assert data["me"]["name"] == "Ada L." and data["me"]["tosAccepted"] is True
