"""Errors a client can act on and logs an operator can read, through the
real view in process."""

from __future__ import annotations

import base64
import json
import logging
import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.context import Reader
from gateway.settings import Settings
from schema.compiler import Compiler, Prepared
from tests.request_path.conftest import SignedIn, client_for

SUGGESTING = [
    "{ skillDefinitionz { totalCount } }",  # field
    "{ exercises(frist: 2) { totalCount } }",  # argument
    '{ exercises(filter: {serach: "x"}) { totalCount } }',  # input field
    "{ marketItems(filter: {rarity: [COMON]}) { totalCount } }",  # enum value
    "{ ... on Querry { me { id } } }",  # type
    "query($f: ExerciseFiltr) { exercises(filter: $f) { totalCount } }",  # type of a variable
]


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


@pytest.mark.parametrize("production", [True, False], ids=["production", "development"])
async def test_production_hides_every_suggestion(
    settings: Settings, engine: AsyncEngine, production: bool
) -> None:
    async with client_for(settings, engine, production=production) as client:
        for query in [*SUGGESTING, '{ marketItems(filter: {rarity: ["x"]}) { totalCount } }']:
            response = await client.post("", json={"query": query})
            messages = [e["message"] for e in _errors(response)]
            assert messages, query
            assert any("Did you mean" in m for m in messages) is not production or (
                not production and '"x"' in query
            ), messages
        # Variables' values are checked at execution, with graphql-core's suggestions too.
        response = await client.post(
            "",
            json={
                "query": "query($f: ExerciseFilter) { exercises(filter: $f) { totalCount } }",
                "variables": {"f": {"serach": "x"}},
            },
        )
        (error,) = _errors(response)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert ("Did you mean" in error["message"]) is not production


async def test_an_undefined_fragment_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post("", json={"query": "{ ...Nope }"})
    assert response.status_code == 200
    assert _errors(response) == [
        {
            "message": "Unknown fragment 'Nope'.",
            "locations": [{"line": 1, "column": 6}],
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
    ]
    assert "data" not in response.json()


async def test_several_operations_need_an_operation_name(
    client: httpx.AsyncClient, signed_in: SignedIn
) -> None:
    document = "query A { me { id } } query B { skillDefinitions { totalCount } }"
    unnamed = await client.post("", json={"query": document})
    (error,) = _errors(unnamed)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "operationName" in error["message"]
    named = await client.post("", json={"query": document, "operationName": "B"})
    assert named.json()["data"]["skillDefinitions"]["totalCount"] == 6
    unknown = await client.post("", json={"query": document, "operationName": "C"})
    assert unknown.status_code == 400
    assert _errors(unknown)[0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("body", [b"null", b'"{ me { id } }"', b"42", b"true", b'{"query": '])
async def test_a_body_that_is_not_a_json_object_is_400(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post("", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert _errors(response)[0]["extensions"]["code"] == "BAD_REQUEST"


async def test_nul_bytes_lone_surrogates_and_out_of_range_values_are_input_errors(
    client: httpx.AsyncClient,
) -> None:
    search = "query($s: String) { exercises(first: 2, filter: {search: $s}) { totalCount } }"
    late = "9999-12-31T23:00:00-14:00"  # year 10000 in UTC
    forged = base64.b64encode(
        json.dumps([2**40, "2020-01-01T00:00:00+00:00", str(uuid.uuid4())]).encode()
    ).decode()
    cases: list[tuple[dict[str, Any] | bytes, str, str]] = [
        (
            {"query": '{ exercises(filter: {search: "a\\u0000b"}) { totalCount } }'},
            "NUL character",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ({"query": search, "variables": {"s": "a\x00b"}}, "NUL character", "BAD_USER_INPUT"),
        ({"query": "{ exercises(first: 99999999999) { totalCount } }"}, "32-bit", ""),
        (
            {
                "query": "query($t: DateTime) { marketItems(filter: {availableFrom: {from: $t}})"
                " { totalCount } }",
                "variables": {"t": late},
            },
            "outside the supported range",
            "BAD_USER_INPUT",
        ),
        (
            {"query": f'{{ marketItems(first: 1, after: "{forged}") {{ totalCount }} }}'},
            "Invalid cursor",
            "BAD_USER_INPUT",
        ),
        (
            # A lone surrogate cannot be stored either; it is not valid JSON text (UTF-8).
            b'{"query": "{ me { id } }", "variables": {"s": "a\\ud800"}}',
            "The request body is not valid JSON.",
            "BAD_REQUEST",
        ),
    ]
    for body, text, code in cases:
        if isinstance(body, bytes):
            response = await client.post(
                "", content=body, headers={"content-type": "application/json"}
            )
        else:
            response = await client.post("", json=body)
        (error,) = _errors(response)
        assert text in error["message"], (body, error)
        assert error["extensions"]["code"] == (code or "GRAPHQL_VALIDATION_FAILED"), error
        assert response.status_code in (200, 400)


async def test_errors_carry_stable_codes(client: httpx.AsyncClient) -> None:
    expected = {
        "{ me { id }": "GRAPHQL_PARSE_FAILED",
        "{ " + " ".join("me { id }" for _ in range(2000)) + " }": "TOKEN_LIMIT_EXCEEDED",
        "{ nope }": "GRAPHQL_VALIDATION_FAILED",
        # an admin-only field: anonymous is asked to sign in (a signed-in viewer without the
        # entitlement gets FORBIDDEN: tests/api/test_entitlements.py)
        "{ users(first: 1) { totalCount } }": "UNAUTHENTICATED",
        "{ exercises(first: 1, last: 1) { totalCount } }": "BAD_USER_INPUT",
    }
    for query, code in expected.items():
        response = await client.post("", json={"query": query})
        assert [e["extensions"]["code"] for e in _errors(response)] == [code], query


async def test_graphql_over_http_media_type_and_status_codes(client: httpx.AsyncClient) -> None:
    modern = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
    legacy = {"Accept": "application/json"}
    cases = [
        ("{ skillDefinitions { totalCount } }", 200, 200),  # data
        ("{ nope }", 400, 200),  # validation: no data entry
        ("{ me { id }", 400, 200),  # syntax
        ("{ exercises(first: 1, last: 1) { totalCount } }", 200, 200),  # field error: data null
    ]
    for query, modern_status, legacy_status in cases:
        new = await client.post("", json={"query": query}, headers=modern)
        assert new.status_code == modern_status, query
        assert new.headers["content-type"].startswith("application/graphql-response+json")
        old = await client.post("", json={"query": query}, headers=legacy)
        assert old.status_code == legacy_status, query
        assert old.headers["content-type"] == "application/json"
        assert new.json() == old.json()
    field_error = await client.post("", json={"query": cases[3][0]}, headers=modern)
    assert field_error.json()["data"] is None
    bad_json = await client.post(
        "", content=b"{", headers={**modern, "content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.headers["content-type"].startswith("application/graphql-response+json")


@pytest.mark.parametrize("compiled", [False, True], ids=["general-path", "compiled-path"])
async def test_expected_errors_are_one_log_line_unexpected_ones_one_traceback_with_the_id(
    settings: Settings,
    engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    compiled: bool,
) -> None:
    async with client_for(settings, engine, compiled_reads=compiled) as client:
        await _one_line_or_one_traceback(client, caplog, monkeypatch)


async def _one_line_or_one_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    many = "{ " + " ".join(f"nope{i}" for i in range(15)) + " }"
    response = await client.post("", json={"query": many})
    assert len(_errors(response)) == 15
    records = [r for r in caplog.records if r.name.startswith(("ignition", "strawberry"))]
    assert len(records) == 1 and records[0].levelno == logging.INFO
    assert records[0].exc_info is None and "15 GraphQL errors" in records[0].getMessage()

    caplog.clear()

    async def broken(self: Reader, template: Any, values: Any) -> Any:
        raise RuntimeError("password=hunter2 SELECT * FROM sessions")

    def broken_statement(self: Compiler, *args: Any) -> Prepared:
        raise RuntimeError("password=hunter2 SELECT * FROM sessions")

    monkeypatch.setattr(Reader, "run", broken)
    monkeypatch.setattr(Compiler, "prepare_document", broken_statement)
    response = await client.post("", json={"query": "{ skillDefinitions { totalCount } }"})
    (error,) = _errors(response)
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    match = re.fullmatch(
        r"Unexpected error \(id ([0-9a-f]{12})\); it has been logged\.", error["message"]
    )
    assert match, error
    assert "hunter2" not in response.text and "SELECT" not in response.text
    records = [r for r in caplog.records if r.name.startswith(("ignition", "strawberry"))]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR and match.group(1) in records[0].getMessage()
    assert records[0].exc_info is not None and "hunter2" in str(records[0].exc_info[1])
