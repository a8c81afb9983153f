"""The repository explains itself: the README points to documents a clone has,
and the architecture document names files that exist.

- Every relative link of README.md and docs/*.md resolves to a file of the repository; none
  leaves it (a clone has nothing else).
- docs/architecture.md covers the layers, the request flows and where a column, a table, a
  mutation and a subscription go, and every concrete repository path it names
  (``gateway/observe.py``, ``db/events/relay.py``, ...) exists, so it cannot silently rot.
- Its import graph of the top-level packages is the one ``docs/imports.py`` draws from the
  code now (regenerate it with ``.venv/bin/python docs/imports.py --write``).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
#: Repository paths in backticks: a top-level package or directory, then a path.
_PATH = re.compile(
    r"`((?:gateway|schema|db|migrations|seeds|tests|bench|docs)/[A-Za-z0-9_./-]*[A-Za-z0-9_])`"
)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.name for d in DOCUMENTS])
def test_relative_links_resolve_inside_the_repository(document: Path) -> None:
    for target in _LINK.findall(document.read_text()):
        if re.match(r"[a-z]+://", target):
            continue
        resolved = (document.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{document.name} links outside: {target}"
        assert resolved.exists(), f"{document.name} links to a missing file: {target}"
    assert "../shared" not in document.read_text()


def test_the_readme_points_to_the_architecture_and_the_decisions() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "(docs/architecture.md)" in readme and "(docs/decisions.md)" in readme


def test_the_architecture_covers_layers_flows_and_changes() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    for heading in (
        "## The layers",
        "### HTTP",
        "### Websocket",
        "### A column",
        "### A table",
        "### A mutation",
        "### A subscription",
    ):
        assert heading in text, heading
    for package in ("gateway/", "schema/", "db/", "migrations/", "seeds/", "tests/"):
        assert package in text, package


def test_every_path_the_architecture_names_exists() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = {path for path in _PATH.findall(text) if "<" not in path and "*" not in path}
    assert len(named) > 20, named
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []


def test_the_import_graph_is_drawn_from_the_code() -> None:
    spec = importlib.util.spec_from_file_location("docs_imports", ROOT / "docs" / "imports.py")
    assert spec is not None and spec.loader is not None
    imports = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(imports)
    block = imports.markdown(imports.edges())
    assert imports.current() == block, "stale: run .venv/bin/python docs/imports.py --write"
    assert "gateway -->" in block and "schema -->" in block


def test_the_readme_starts_with_its_title_a_sentence_and_the_two_commands() -> None:
    """The H1, one paragraph saying what this is, then the commands that CI reads
    (``.ci/run`` takes the test command from the README's first code block)."""
    readme = (ROOT / "README.md").read_text()
    blocks = readme.split("```")
    head = blocks[0].strip().split("\n\n")
    assert head[0] == "# Ignition Gateway"
    assert len(head) == 2 and not head[1].startswith(("#", "-", "|"))
    first = blocks[1].splitlines()[1:]
    assert blocks[1].startswith("sh\n") and len(first) == 2
    assert first[0].endswith("ignition serve") and first[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "awk '/^```/{block++; next} block==1' README.md | grep -m1 'pytest'" in ci
    assert not re.search(r"\bissues? \d", readme)
