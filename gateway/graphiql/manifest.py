"""Where GraphiQL's assets live and what ``static/manifest.json`` says about them (shared by the
page in :mod:`gateway.graphiql` and the refresh script :mod:`gateway.graphiql.refresh`)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

#: The shipped assets (package data, see pyproject.toml).
STATIC = Path(__file__).resolve().parent / "static"
#: The pins: npm package versions, and per file its source in the tarball, size and hash.
MANIFEST = STATIC / "manifest.json"


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    """The manifest: ``{"packages": {name: version}, "files": [{"name", "package", "path",
    "bytes", "sha384"}, ...]}`` (``name`` is the file in ``static/``, ``path`` the file inside
    the npm tarball, ``sha384`` base64 as Subresource Integrity wants it)."""
    return dict(json.loads(path.read_text(encoding="utf-8")))


def integrity(data: bytes) -> str:
    """The Subresource Integrity value of ``data``: ``"sha384-<base64>"``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
