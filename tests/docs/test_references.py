"""Every reference in the code, the docs and the README resolves inside the repository.

A clone holds nothing but the repository, so a reference must point into it:

- a repository path (``db/events/relay.py``, ``docs/design.md``) names a file that exists;
- an anchor (``docs/design.md#quests``, a Markdown link ``[Limits](#limits)``) names a heading
  of that Markdown page;
- a rule's source in the Ignition specification is cited by section title
  (``Ignition specification, "Focus Lifecycle"``), and every title cited is listed in the
  Sources table of docs/design.md, which says what the section gives;
- nothing names the design notes or the specification files the repository was written from
  (their file names are spelled in pieces below, so that this file does not name them either).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The folders and files whose text is checked (code, tests, docs, configuration).
SCANNED = ("gateway", "schema", "db", "seeds", "migrations", "bench", "tests", "docs", ".ci")
TOP_FILES = ("README.md", "pyproject.toml")
SUFFIXES = {".py", ".md", ".toml", ".graphql", ".json", ".mako", ".txt", ".sh", ""}
#: Not text written for this repository: vendored GraphiQL assets, caches.
SKIPPED_PARTS = {"static", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}

#: Names of files outside the repository that nothing may cite.
FORBIDDEN = re.compile("DESIGN" + r"\.md|\bspec/" + r"0\d\d")
#: An issue of the project's tracker by number ("issue 6, point 3"): a clone has no tracker, so
#: the text says what the rule is instead (upstream issues are cited by their full address).
TRACKER = re.compile(r"(?<![/\w#])[Ii]ssues? #?" + r"\d+\b")

#: A repository path to a file: a top-level folder, then a path with an extension.
PATH = re.compile(
    r"(?<![\w/.-])((?:gateway|schema|db|seeds|migrations|tests|bench|docs)/[\w./-]*"
    r"\.(?:py|md|json|graphql|toml|mako))(#[\w-]+)?"
)
#: A Markdown link to a place of the same page or another page: ``[text](target#anchor)``.
LINK = re.compile(r"\]\(([^)#\s]*)#([^)\s]+)\)")
#: Whitespace inside a citation, also across a line break of a ``#`` or ``#:`` comment.
_WS = r"\s+(?:#:?\s+)?"
#: ``Ignition specification, "<section title>"``.
CITATION = re.compile(rf"Ignition{_WS}specification,{_WS}\\?\"([^\"\\]+)\\?\"")
#: ``Ignition specification,`` followed by anything but a quoted title.
UNQUOTED = re.compile(rf"Ignition{_WS}specification,(?!{_WS}\\?\")")
#: Section titles of the specification, wherever they are quoted.
TITLE = re.compile(r"\"((?:Section \d+|Migration \d{4}|Part \d+): [^\"]+)\"")


def _texts() -> list[Path]:
    found = [ROOT / name for name in TOP_FILES]
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT)
            if (
                path.is_file()
                and path.suffix in SUFFIXES
                and not SKIPPED_PARTS.intersection(relative.parts)
            ):
                found.append(path)
    return found


TEXTS = _texts()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces -> ``-``."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    """The anchors of the headings of a Markdown page (outside code blocks)."""
    found: set[str] = set()
    fenced = False
    for line in _read(page).splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6} (.+)", line)):
            found.add(slug(m.group(1)))
    return frozenset(found)


@cache
def cited_sections() -> frozenset[str]:
    """The section titles listed in the Sources table of docs/design.md."""
    text = _read(ROOT / "docs" / "design.md")
    sources = text.split("\n## Sources\n", 1)[1]
    return frozenset(re.findall(r"^\| \"([^\"]+)\" \|", sources, flags=re.MULTILINE))


def _normal(title: str) -> str:
    return re.sub(_WS, " ", title).strip()


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def test_the_scan_covers_code_tests_and_docs() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in TEXTS}
    assert {"README.md", "docs/design.md", "db/errors.py", ".ci/run"} <= names
    assert len(TEXTS) > 200


@pytest.mark.parametrize("rule", ["forbidden", "paths", "anchors", "citations"])
def test_every_reference_resolves_inside_the_repository(rule: str) -> None:
    problems: list[str] = []
    for path in TEXTS:
        if path == Path(__file__).resolve():
            continue  # its docstring and self-test show examples on purpose
        text = _read(path)
        where = path.relative_to(ROOT).as_posix()
        if rule == "forbidden":
            problems += [
                f"{where}:{_line(text, m.start())}: names a file outside the repository: {m[0]}"
                for m in FORBIDDEN.finditer(text)
            ]
            problems += [
                f"{where}:{_line(text, m.start())}: names an issue of the tracker: {m[0]}"
                for m in TRACKER.finditer(text)
            ]
        elif rule == "paths":
            for m in PATH.finditer(text):
                target = ROOT / m.group(1)
                if not target.exists():
                    problems.append(f"{where}:{_line(text, m.start())}: no file {m.group(1)}")
                elif (
                    m.group(2) and target.suffix == ".md" and m.group(2)[1:] not in anchors(target)
                ):
                    line = _line(text, m.start())
                    problems.append(f"{where}:{line}: no heading {m.group(2)} in {m.group(1)}")
        elif rule == "anchors" and path.suffix == ".md":
            for m in LINK.finditer(text):
                page = (path.parent / m.group(1)).resolve() if m.group(1) else path
                if re.match(r"[a-z]+://", m.group(1)):
                    continue
                if not page.exists() or m.group(2) not in anchors(page):
                    problems.append(f"{where}:{_line(text, m.start())}: broken link {m[0]}")
        elif rule == "citations":
            problems += [
                f"{where}:{_line(text, m.start())}: cite a section by its quoted title: {m[0]}"
                for m in UNQUOTED.finditer(text)
            ]
            titles = [_normal(m.group(1)) for m in CITATION.finditer(text)]
            titles += [_normal(m.group(1)) for m in TITLE.finditer(text)]
            problems += [
                f"{where}: cites {title!r}, which docs/design.md#sources does not list"
                for title in titles
                if title not in cited_sections()
            ]
    assert problems == []


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The patterns find a broken reference of each kind (so the test above can fail)."""
    assert FORBIDDEN.search("see " + "DESIGN" + ".md section 3")
    assert FORBIDDEN.search("spec/" + "003 Focus Lifecycle")
    assert TRACKER.search("the limits (issue " + "6, point 3)")
    assert not TRACKER.search("https://github.com/strawberry-graphql/strawberry/issues/" + "3405")
    m = PATH.search("rules in docs/" + "design.md#no-such-heading.")
    assert m is not None and m.group(2)[1:] not in anchors(ROOT / "docs" / "design.md")
    assert PATH.search("(db/" + "no_such_module.py)") is not None
    assert not (ROOT / "db" / "no_such_module.py").exists()
    assert LINK.search("[Limits](#limits)") is not None
    citation = CITATION.search('Ignition\n#: specification, "Focus Lifecycle"')
    assert citation is not None and _normal(citation.group(1)) in cited_sections()
    assert "Invented Flow" not in cited_sections()
    assert UNQUOTED.search("(Ignition specification, " + "Learn Drill Flow)") is not None
    assert UNQUOTED.search('(Ignition specification, "Learn Drill Flow")') is None
    escaped = CITATION.search('"(Ignition specification, \\"Learn Drill Flow\\")"')
    assert escaped is not None and escaped.group(1) == "Learn Drill Flow"
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n```\n# not a heading\n```\n## A `code` heading, too\n")
    assert anchors(page) == {"title", "a-code-heading-too"}
