"""The settings registry: ``me.settings`` answers every known key with its default, and
``updateSettings`` refuses unknown keys and bad values naming the key, changing nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.errors import InvalidInput
from db.settings import (
    REGISTRY,
    TODAY_MODULES,
    check_value,
    effective,
    local_date,
    month_start,
    week_start,
)
from tests.support.harness import committed_user

SETTINGS = "{ me { settings { key value isDefault kind allowedValues minimum maximum } } }"
UPDATE = """mutation($s: [SettingInput!]!) { updateSettings(input: {settings: $s}) {
  __typename ... on UpdateSettingsSuccess { storedSettings { key value }
    user { settings { key value isDefault } } }
  ... on InvalidInput { field message } } }"""


def test_registry_has_the_required_keys() -> None:
    required = {
        "timezone",
        "default_focus_duration",
        "daily_focus_goal_minutes",
        "nudge_intensity",
        "week_starts_on",
    }
    for module in TODAY_MODULES:
        required |= {f"module.{module}.enabled", f"module.{module}.weight"}
    assert required <= REGISTRY.keys()
    assert REGISTRY["nudge_intensity"].allowed == ("off", "gentle", "standard", "strong")
    assert (REGISTRY["module.focus.weight"].minimum, REGISTRY["module.focus.weight"].maximum) == (
        0,
        100,
    )
    # Every default passes its own rule.
    for setting in REGISTRY.values():
        assert setting.problem(setting.default) is None, setting.key


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timezone", "Mars/Olympus"),
        ("timezone", 3),
        ("timezone", "europe/berlin"),
        ("default_focus_duration", 59),
        ("default_focus_duration", 300.5),
        ("default_focus_duration", True),
        ("daily_focus_goal_minutes", -1),
        ("nudge_intensity", "loud"),
        ("week_starts_on", "tuesday"),
        ("module.habits.enabled", "yes"),
        ("module.habits.weight", 101),
        ("no_such_key", 1),
    ],
)
def test_check_value_refuses(key: str, value: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_value(key, value, f"input.settings.{key}")
    assert raised.value.field == f"input.settings.{key}"
    assert key in raised.value.message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timezone", "Europe/Berlin"),
        ("timezone", "UTC"),
        ("default_focus_duration", 60),
        ("nudge_intensity", "off"),
        ("week_starts_on", "sunday"),
        ("module.learn.enabled", False),
        ("module.learn.weight", 0),
    ],
)
def test_check_value_accepts(key: str, value: Any) -> None:
    check_value(key, value, "f")


def test_effective_fills_defaults_and_drops_bad_or_unknown_values() -> None:
    values = effective({"timezone": "Asia/Tokyo", "nudge_intensity": "loud", "old": 1})
    assert values["timezone"] == "Asia/Tokyo"
    assert values["nudge_intensity"] == "standard"
    assert "old" not in values
    assert values.keys() == REGISTRY.keys()


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("UTC", datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 28)),
        ("Europe/Berlin", datetime(2026, 3, 28, 22, 59, tzinfo=UTC), date(2026, 3, 28)),
        ("Europe/Berlin", datetime(2026, 3, 28, 23, 0, tzinfo=UTC), date(2026, 3, 29)),
        # 29 March 2026: Berlin moves to summer time (UTC+2) at 01:00 UTC; midnight of the
        # 30th is then 22:00 UTC of the 29th.
        ("Europe/Berlin", datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 29)),
        ("Europe/Berlin", datetime(2026, 3, 29, 22, 0, tzinfo=UTC), date(2026, 3, 30)),
        ("America/New_York", datetime(2026, 3, 8, 4, 59, tzinfo=UTC), date(2026, 3, 7)),
        ("America/New_York", datetime(2026, 3, 9, 3, 59, tzinfo=UTC), date(2026, 3, 8)),
        ("America/New_York", datetime(2026, 3, 9, 4, 0, tzinfo=UTC), date(2026, 3, 9)),
        ("Pacific/Kiritimati", datetime(2026, 1, 1, 10, 0, tzinfo=UTC), date(2026, 1, 2)),
        ("Nowhere/Stale", datetime(2026, 1, 1, 23, 0, tzinfo=UTC), date(2026, 1, 1)),
    ],
)
def test_local_date(zone: str, moment: datetime, expected: date) -> None:
    assert local_date(zone, moment) == expected


def test_week_and_month_start() -> None:
    wednesday = date(2026, 12, 9)
    assert week_start(wednesday, "monday") == date(2026, 12, 7)
    assert week_start(wednesday, "sunday") == date(2026, 12, 6)
    assert week_start(wednesday, "saturday") == date(2026, 12, 5)
    assert week_start(date(2026, 12, 7), "monday") == date(2026, 12, 7)
    assert month_start(wednesday) == date(2026, 12, 1)


async def _rows(engine: AsyncEngine, user_id: Any) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        result = await conn.execute(
            sa.text(
                "SELECT key, value, updated_at FROM user_settings WHERE user_id = :u ORDER BY key"
            ),
            {"u": user_id},
        )
        return [tuple(r) for r in result]


async def test_me_settings_answers_every_key(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    out = await mutate(SETTINGS, viewer=viewer)
    assert not out.errors, out.errors
    settings = {s["key"]: s for s in out.data["me"]["settings"]}
    assert settings.keys() == REGISTRY.keys()
    assert settings["timezone"]["value"] == "UTC" and settings["timezone"]["isDefault"]
    # Sign-up stored the default duration: a stored value is not a default.
    assert settings["default_focus_duration"]["value"] == 300
    assert not settings["default_focus_duration"]["isDefault"]
    assert settings["nudge_intensity"]["allowedValues"] == ["off", "gentle", "standard", "strong"]
    assert settings["module.focus.weight"]["minimum"] == 0


async def test_update_settings_stores_and_me_reads_them(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    out = await mutate(
        UPDATE,
        {
            "s": [
                {"key": "timezone", "value": "Europe/Berlin"},
                {"key": "nudge_intensity", "value": "off"},
                {"key": "module.learn.weight", "value": 7},
            ]
        },
        viewer=viewer,
    )
    result = out.data["updateSettings"]
    assert result["__typename"] == "UpdateSettingsSuccess", result
    assert [s["key"] for s in result["storedSettings"]] == [
        "timezone",
        "nudge_intensity",
        "module.learn.weight",
    ]
    # The payload's user answers every known key, as `me.settings` does after the change.
    answered = {s["key"]: s for s in result["user"]["settings"]}
    assert answered["timezone"] == {"key": "timezone", "value": "Europe/Berlin", "isDefault": False}
    assert answered["week_starts_on"]["isDefault"]
    settings = {s["key"]: s for s in (await mutate(SETTINGS, viewer=viewer)).data["me"]["settings"]}
    assert settings["timezone"]["value"] == "Europe/Berlin"
    assert not settings["timezone"]["isDefault"]
    assert settings["nudge_intensity"]["value"] == "off"
    assert settings["module.learn.weight"]["value"] == 7
    # Again: replaced, not duplicated.
    await mutate(UPDATE, {"s": [{"key": "timezone", "value": "Asia/Tokyo"}]}, viewer=viewer)
    rows = [r for r in await _rows(engine, viewer.user_id) if r[0] == "timezone"]
    assert [r[1] for r in rows] == ["Asia/Tokyo"]


@pytest.mark.parametrize(
    ("items", "field"),
    [
        (
            [{"key": "timezone", "value": "Europe/Berlin"}, {"key": "bogus", "value": 1}],
            "input.settings.bogus",
        ),
        (
            [{"key": "timezone", "value": "Europe/Berlin"}, {"key": "nudge_intensity", "value": 5}],
            "input.settings.nudge_intensity",
        ),
        ([{"key": "timezone", "value": "Moon/Base"}], "input.settings.timezone"),
        (
            [{"key": "timezone", "value": "UTC"}, {"key": "timezone", "value": "UTC"}],
            "input.settings.timezone",
        ),
        ([{"key": "", "value": 1}], "input.settings.key"),
    ],
)
async def test_update_settings_refusals_change_nothing(
    mutate: Any, engine: AsyncEngine, items: list[dict[str, Any]], field: str
) -> None:
    viewer = await committed_user(engine)
    before = await _rows(engine, viewer.user_id)
    out = await mutate(UPDATE, {"s": items}, viewer=viewer)
    result = out.data["updateSettings"]
    assert result["__typename"] == "InvalidInput", result
    assert result["field"].startswith(field), result
    assert await _rows(engine, viewer.user_id) == before


async def test_settings_are_null_on_another_users_row(mutate: Any, engine: AsyncEngine) -> None:
    admin = await committed_user(engine, admin=True)
    await committed_user(engine)
    out = await mutate(
        "{ users(first: 5) { edges { node { id settings { key } } } } }", viewer=admin
    )
    assert not out.errors, out.errors
    for edge in out.data["users"]["edges"]:
        node = edge["node"]
        assert (node["settings"] is None) == (node["id"] != str(admin.user_id))


@pytest.mark.parametrize("value", [None, 59, 60, 300, 1500.0, 1500.5, 14_400, 14_401, "300", True])
def test_the_focus_default_duration_agrees_with_the_registry(value: Any) -> None:
    from db.focus.rules import default_duration

    stored = {} if value is None else {"default_focus_duration": value}
    expected = effective(stored)["default_focus_duration"]
    # The registry keeps whole numbers only; the focus rule also takes 1500.0 as 1500.
    if value == 1500.0 and isinstance(value, float):
        expected = 1500
    assert default_duration(value) == expected
