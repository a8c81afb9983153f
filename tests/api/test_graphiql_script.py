"""The GraphiQL page explains a refused token: a token GraphiQL saved for
an earlier database makes every request, the schema's own included, answer 401; the page then
shows why and offers to forget the saved headers. The page script runs under node with stub
browser globals (skipped without node; the chromium test covers the page itself)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.graphiql import PAGE_SCRIPT
from gateway.graphiql.manifest import STATIC

NODE = shutil.which("node")
HARNESS = Path(__file__).parent / "js" / "graphiql_401.js"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_refused_token_is_explained_and_can_be_forgotten() -> None:
    assert NODE is not None
    result = subprocess.run(
        [NODE, str(HARNESS), str(STATIC / PAGE_SCRIPT)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["role"] == "alert"
    assert "401: The token is unknown or expired." in found["text"]
    assert "token of an earlier database" in found["text"]
    assert "Headers pane" in found["text"]
    assert found["removed"] == ["graphiql:headers"] and found["reloaded"]
    assert found["goneAfterSuccess"]
