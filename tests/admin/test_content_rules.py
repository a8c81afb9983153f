"""The content catalogs' shape rules accept every seeded row: a staff member can save again
what the seeds hold (the rules were derived from those shapes), and refuse the wrong ones."""

from __future__ import annotations

from typing import Any

import pytest

from db.errors import InvalidInput
from db.fields import clean
from db.learn.rules import check_drill_config, shape_quiz
from db.platform.catalog import ONBOARDING_STEPS, check_step
from seeds.learn import DRILLS, LESSONS
from seeds.platform import STEPS


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d["key"])
def test_seeded_drill_configs_fit_their_type(drill: dict[str, Any]) -> None:
    check_drill_config(drill["drill_type"], drill["config"], "input.configJson")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson["key"])
def test_seeded_quizzes_fit(lesson: dict[str, Any]) -> None:
    assert shape_quiz(lesson["quiz"], "input.quizJson") == lesson["quiz"]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s["title"])
def test_seeded_onboarding_steps_fit(step: dict[str, Any]) -> None:
    values = {k: v for k, v in step.items() if k in ONBOARDING_STEPS.rules and v is not None}
    cleaned = clean(values, ONBOARDING_STEPS.rules)
    check_step(cleaned, cleaned)


@pytest.mark.parametrize(
    ("drill_type", "config", "field"),
    [
        ("interval", {"intervals": ["M3"], "direction": "up", "questions": 5}, "c.direction"),
        ("chord", {"qualities": ["major"], "questions": 5, "voicing": "wide"}, "c.voicing"),
        ("chord", {"qualities": [], "questions": 5}, "c.qualities"),
        (
            "rhythm",
            {
                "tempo_bpm": 90,
                "time_signature": "4/4",
                "questions": 4,
                "patterns": [{"name": "p", "kick": "x..."}],
            },
            "c.patterns[0].kick",
        ),
        ("rhythm", {"tempo_bpm": 5, "time_signature": "4/4", "questions": 4}, "c.tempoBpm"),
        ("scale", {"scales": ["major"], "direction": "ascending"}, "c.questions"),
        (
            "scale",
            {"scales": ["major"], "direction": "ascending", "questions": 3, "root_range": ["C3"]},
            "c.rootRange",
        ),
    ],
)
def test_wrong_drill_configs(drill_type: str, config: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_drill_config(drill_type, config, "c")
    assert refused.value.field == field
