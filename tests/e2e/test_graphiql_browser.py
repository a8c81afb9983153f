"""GraphiQL in a real browser, offline: Debian's chromium (headless, driven by playwright with
``executable_path``; playwright's own browsers are never downloaded) against ``ignition serve``.

The browser loads ``/graphql``, a query is typed into the editor and run, a bearer token is
entered in the Headers pane and ``me`` answers; every request the browser makes is recorded and
none may leave 127.0.0.1. The host resolver maps every other name to nothing, so a page that
still pointed at a CDN would fail here even on a machine with internet access.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_server import _cli, server

pytestmark = pytest.mark.e2e

__all__ = ["server"]  # the module-scoped gateway process of test_server.py

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

#: Flags of a quiet, disposable browser: no GPU, no QUIC, no first-run UI, no background
#: traffic of its own (updates, sync, component downloads), and no DNS outside loopback.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


#: The text of a GraphiQL CodeMirror editor; the argument is the CSS selector of its area.
#: (Functions, not expressions: the page's Content-Security-Policy forbids eval.)
EDITOR_TEXT = "(area) => document.querySelector(area + ' .CodeMirror').CodeMirror.getValue()"


async def _type_into(page: Any, area: str, text: str) -> None:
    """Focus the CodeMirror editor of ``area``, select everything and type ``text`` over it
    (as text input: CodeMirror's bracket auto-closing reacts to key presses only)."""
    await page.locator(f"{area} .CodeMirror").first.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(text)
    typed = await page.evaluate(EDITOR_TEXT, area)
    assert typed == text


#: Whether the result pane shows the JSON value ``expected`` (GraphiQL pretty-prints it).
SHOWS = """(expected) => {
  const text = document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue();
  try { return JSON.stringify(JSON.parse(text)) === JSON.stringify(expected); }
  catch (error) { return false; }
}"""


async def _run(page: Any, query: str) -> dict[str, Any]:
    """Type ``query``, press GraphiQL's run button, and return the gateway's answer once the
    result pane shows it."""
    await _type_into(page, ".graphiql-query-editor", query)

    def is_answer(response: Any) -> bool:  # not GraphiQL's own introspection query
        body = response.request.post_data
        return (
            urlsplit(response.url).path == "/graphql"
            and bool(body)
            and (json.loads(body).get("query") == query)
        )

    async with page.expect_response(is_answer) as answer:
        await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    result: dict[str, Any] = await (await answer.value).json()
    await page.wait_for_function(SHOWS, arg=result)
    return result


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
)
async def test_graphiql_runs_queries_offline_in_chromium(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    base, data_dir = server
    _cli(data_dir, "user", "create", "--email", "grace@example.com", "--name", "Grace")
    token = _cli(data_dir, "token", "create", "--email", "grace@example.com").split()[-1]

    requests: list[str] = []
    graphql_headers: list[dict[str, str]] = []
    problems: list[str] = []
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
        )
        try:

            def on_request(request: Any) -> None:
                requests.append(request.url)
                body = request.post_data if request.method == "POST" else None
                if body and "IntrospectionQuery" not in body:
                    graphql_headers.append(request.headers)

            context.on("request", on_request)
            page = context.pages[0] if context.pages else await context.new_page()
            page.on("websocket", lambda ws: requests.append(ws.url))
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda message: (
                    problems.append(f"console {message.type}: {message.text}")
                    if message.type == "error"
                    else None
                ),
            )
            await page.goto(f"{base}/graphql")
            await page.locator(".graphiql-query-editor .CodeMirror").wait_for()

            catalog = await _run(
                page, "{ marketItems(first: 2) { totalCount edges { node { key costCoins } } } }"
            )
            items = catalog["data"]["marketItems"]
            assert items["totalCount"] >= 6 and len(items["edges"]) == 2
            assert (await _run(page, "{ me { email } }"))["data"] == {"me": None}

            # The Headers pane: the token goes there, and `me` is the token's user.
            await page.get_by_role("button", name="Headers").click()
            await _type_into(
                page,
                ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
                json.dumps({"Authorization": f"Bearer {token}"}),
            )
            me = await _run(page, "{ me { email name wallet { coins } } }")
            assert me["data"] == {
                "me": {"email": "grace@example.com", "name": "Grace", "wallet": {"coins": 0}}
            }
            assert graphql_headers[-1].get("authorization") == f"Bearer {token}"
            assert "authorization" not in graphql_headers[0]

            # The documentation pane describes the API from the models.
            # The documentation pane: a type's text is its model's docstring, a field's its
            # column's doc= (schema/core/descriptions.py).
            docs = page.locator(".graphiql-doc-explorer")
            await page.get_by_role("button", name="Show Documentation Explorer").click()
            await docs.get_by_text("Query", exact=True).first.click()
            await docs.get_by_text("marketItems", exact=True).first.click()
            await docs.get_by_text("MarketItemConnection", exact=True).first.click()
            await docs.get_by_text("edges", exact=True).first.click()
            await docs.get_by_text("MarketItemEdge", exact=True).first.click()
            await docs.get_by_text("node", exact=True).first.click()
            await docs.get_by_text("MarketItem", exact=True).first.click()
            await docs.get_by_text("An item of the coin market").first.wait_for()
            await docs.get_by_text("The price of one unit, in coins.").first.wait_for()
        finally:
            await context.close()

    fetched = [url for url in requests if urlsplit(url).scheme not in ("data", "blob", "about")]
    outside = [url for url in fetched if urlsplit(url).hostname != "127.0.0.1"]
    print(f"browser requests: {len(fetched)} in total, {len(outside)} left 127.0.0.1")
    assert outside == []
    assert any(urlsplit(url).path == "/graphiql/graphiql.min.js" for url in fetched)
    assert problems == []
