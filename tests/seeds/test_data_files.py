"""The catalog data files of ``seeds/data/`` (``seeds.load``): validated on load, with an error
that names the file, the entry and the field; shipped as package data.

Each test copies the real data files to a temporary folder, breaks one thing, and loads from
there (``seeds.load.data_file`` redirected), so the shipped files are never touched.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seeds import load
from seeds.exercise_catalog import CatalogExercise
from seeds.learn import Lesson, Topic
from seeds.load import SeedDataError, load_entries, with_markdown
from seeds.platform import Flow

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "seeds" / "data"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ``seeds/data`` that the loader reads instead of the shipped files."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    monkeypatch.setattr(load, "data_file", lambda relative: copy.joinpath(*relative.split("/")))
    return copy


def _edit(data: Path, relative: str, change: Callable[[Any], None]) -> None:
    path = data / relative
    content = json.loads(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(json.dumps(content), encoding="utf-8")


def _lessons(data: Path) -> list[dict[str, Any]]:
    return list(json.loads((data / "learn/lessons.json").read_text(encoding="utf-8")))


def test_the_shipped_files_load(data: Path) -> None:
    assert len(load_entries("learn/lessons.json", Lesson, key="key")) == len(_lessons(data))


def test_a_wrong_type_names_file_entry_and_nested_field(data: Path) -> None:
    key = _lessons(data)[2]["key"]

    def change(lessons: list[dict[str, Any]]) -> None:
        lessons[2]["quiz"][1]["answer_index"] = "2"

    _edit(data, "learn/lessons.json", change)
    with pytest.raises(SeedDataError) as caught:
        load_entries("learn/lessons.json", Lesson, key="key")
    message = str(caught.value)
    assert message.startswith(f"seeds/data/learn/lessons.json: entry 2 ({key!r}), ")
    assert "field 'quiz.1.answer_index'" in message
    assert "valid integer" in message


def test_a_value_outside_the_enum_names_the_field(data: Path) -> None:
    def change(lessons: list[dict[str, Any]]) -> None:
        lessons[0]["difficulty"] = "expert"

    _edit(data, "learn/lessons.json", change)
    with pytest.raises(SeedDataError, match=r"entry 0 \('.+'\), field 'difficulty': Input should"):
        load_entries("learn/lessons.json", Lesson, key="key")


def test_an_unknown_or_missing_field_is_refused(data: Path) -> None:
    def unknown(topics: list[dict[str, Any]]) -> None:
        topics[1]["colour"] = "red"

    _edit(data, "learn/topics.json", unknown)
    with pytest.raises(SeedDataError, match=r"topics.json: entry 1 .*field 'colour': Extra"):
        load_entries("learn/topics.json", Topic, key="key")

    def missing(topics: list[dict[str, Any]]) -> None:
        del topics[1]["colour"]
        del topics[1]["icon"]

    _edit(data, "learn/topics.json", missing)
    with pytest.raises(SeedDataError, match=r"entry 1 .*field 'icon': Field required"):
        load_entries("learn/topics.json", Topic, key="key")


def test_a_rule_of_the_model_names_the_entry(data: Path) -> None:
    def change(entries: list[dict[str, Any]]) -> None:
        entries[5]["level"] = "olympic"
        entries[5]["instructions"] = entries[5]["instructions"][:1]

    _edit(data, "exercises/catalog.json", change)
    with pytest.raises(SeedDataError) as caught:
        load_entries("exercises/catalog.json", CatalogExercise, key="name")
    assert "seeds/data/exercises/catalog.json: entry 5 (" in str(caught.value)
    assert "field 'instructions'" in str(caught.value)


def test_a_duplicate_natural_key_is_refused(data: Path) -> None:
    def change(lessons: list[dict[str, Any]]) -> None:
        lessons[3]["key"] = lessons[0]["key"]

    _edit(data, "learn/lessons.json", change)
    with pytest.raises(SeedDataError, match=r"entry 3 .*field 'key': duplicate natural key"):
        load_entries("learn/lessons.json", Lesson, key="key")


def test_a_missing_markdown_body_names_the_entry_and_the_file(data: Path) -> None:
    lesson = _lessons(data)[1]
    (data / "learn" / lesson["content_file"]).unlink()
    entries = load.as_dicts(load_entries("learn/lessons.json", Lesson, key="key"))
    with pytest.raises(SeedDataError) as caught:
        with_markdown("learn/lessons.json", entries, key="key", into="content_markdown")
    message = str(caught.value)
    assert message.startswith(f"seeds/data/learn/lessons.json: entry 1 ({lesson['key']!r})")
    assert f"field 'content_file': the file seeds/data/learn/{lesson['content_file']}" in message


def test_a_file_that_is_not_json_gives_line_and_column(data: Path) -> None:
    (data / "learn/topics.json").write_text('[{"key": "x",}]', encoding="utf-8")
    with pytest.raises(SeedDataError, match=r"topics.json: not valid JSON \(.* line 1, column"):
        load_entries("learn/topics.json", Topic, key="key")


def test_a_nested_object_is_validated(data: Path) -> None:
    def change(flow: dict[str, Any]) -> None:
        flow["steps"][4]["step_type"] = "quiz"

    _edit(data, "platform/onboarding_flow.json", change)
    with pytest.raises(SeedDataError, match=r"onboarding_flow.json: entry 0, field 'steps.4.step"):
        load.load_object("platform/onboarding_flow.json", Flow)


def test_a_reference_to_an_unknown_row_is_refused(data: Path) -> None:
    lessons = load_entries("learn/lessons.json", Lesson, key="key")
    with pytest.raises(SeedDataError, match=r"entry 0 .*field 'topic': '.+' is not in seeds/data"):
        load.check_references(
            "learn/lessons.json", lessons, "topic", set(), key="key", target="learn/topics.json"
        )


def test_every_data_file_is_package_data() -> None:
    """A non-editable install ships every file the seeds read (pyproject's package-data)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["seeds"]
    files = [p.relative_to(ROOT / "seeds") for p in DATA.rglob("*") if p.is_file()]
    assert files
    assert [f for f in files if not any(f.match(pattern) for pattern in patterns)] == []
    assert {f.suffix for f in files} == {".json", ".md"}


def test_a_constant_of_the_demo_content_names_entry_and_position(data: Path) -> None:
    def change(content: dict[str, Any]) -> None:
        content["habits"][3][4] = "eleven"

    _edit(data, "demo/content.json", change)
    content = load.read_json("demo/content.json")
    with pytest.raises(SeedDataError) as caught:
        load.load_constant(
            "demo/content.json",
            content,
            "habits",
            tuple[tuple[str, str, str, str, float, float], ...],
        )
    assert str(caught.value).startswith(
        "seeds/data/demo/content.json: entry 'habits', field '3.4': Input should be a valid number"
    )
    with pytest.raises(SeedDataError, match="no entry 'goblins'"):
        load.load_constant("demo/content.json", content, "goblins", tuple[str, ...])
