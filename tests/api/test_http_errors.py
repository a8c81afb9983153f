"""HTTP errors outside ``/graphql`` are the same GraphQL-shaped JSON as inside it (README,
"Errors"): an unknown path is ``NOT_FOUND``, a method a route does not take
``METHOD_NOT_ALLOWED`` with ``Allow``, never Starlette's plain text."""

from __future__ import annotations

import httpx

from gateway.app import create_app
from gateway.settings import Settings
from tests.api.test_graphiql import NO_DATABASE


async def test_unknown_paths_and_methods_answer_json_errors() -> None:
    transport = httpx.ASGITransport(app=create_app(Settings(database_url=NO_DATABASE)))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        missing = await client.get("/nope")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/json"
        assert missing.json() == {
            "errors": [
                {
                    "message": "There is nothing at /nope; the API is at /graphql.",
                    "extensions": {"code": "NOT_FOUND"},
                }
            ]
        }
        wrong = await client.post("/metrics")
        assert wrong.status_code == 405
        assert set(wrong.headers["allow"].split(", ")) == {"GET", "HEAD"}
        assert wrong.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
