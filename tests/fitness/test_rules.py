"""The pure fitness rules: the award of a finished session, Epley's estimate, the record
candidates of a set, and the range checks that name the field."""

from __future__ import annotations

import pytest

from db.errors import InvalidInput
from db.fitness.models import PersonalRecordType as R
from db.fitness.rules import (
    MAX_ESTIMATE_REPS,
    MAX_PAID_SETS,
    WORKOUT_COINS,
    WORKOUT_XP,
    Measure,
    check_program_weeks,
    check_set,
    epley_one_rep_max,
    set_measures,
    workout_award,
    workout_ledger_key,
)


def test_the_award_grows_with_the_working_sets_up_to_the_cap() -> None:
    assert workout_award(1).xp == WORKOUT_XP + 1
    assert workout_award(MAX_PAID_SETS).xp == workout_award(MAX_PAID_SETS + 30).xp == 40
    award = workout_award(5)
    assert (award.coins, award.stars, award.skill_key) == (WORKOUT_COINS, 1, "fitness")
    with pytest.raises(ValueError):
        workout_award(0)
    assert workout_ledger_key("abc") == "workout.completed:abc"


def test_epley() -> None:
    assert epley_one_rep_max(100, 1) == 100.0
    assert epley_one_rep_max(100, 5) == 116.7
    assert epley_one_rep_max(100, 10) == 133.3
    assert epley_one_rep_max(100, MAX_ESTIMATE_REPS + 1) is None
    assert epley_one_rep_max(0, 5) is None
    assert epley_one_rep_max(100, 0) is None


def test_set_measures() -> None:
    assert set_measures(5, 100, None, True) == []
    assert set_measures(5, 100, None, False) == [
        Measure(R.WEIGHT, 100.0, 5),
        Measure(R.VOLUME, 500.0, 5),
        Measure(R.ONE_REP_MAX, 116.7, 5),
        Measure(R.REPS, 5.0),
    ]
    assert set_measures(None, None, 60, False) == [Measure(R.TIME, 60.0)]
    assert set_measures(12, None, 30, False) == [Measure(R.REPS, 12.0), Measure(R.TIME, 30.0)]
    assert set_measures(0, 0, 0, False) == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((None, None, None, None), "input.reps"),
        ((-1, None, None, None), "input.reps"),
        ((5, float("nan"), None, None), "input.weight"),
        ((5, None, -3, None), "input.duration"),
        ((5, None, None, 0.9), "input.rpe"),
    ],
)
def test_check_set_names_the_field(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_set(*args)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_program_weeks() -> None:
    check_program_weeks(4, [1, 2, 4])
    for numbers in ([0], [5], [2, 2]):
        with pytest.raises(InvalidInput):
            check_program_weeks(4, numbers)
