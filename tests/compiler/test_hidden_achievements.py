"""Hidden until earned: a viewer who has not unlocked a hidden achievement sees that it exists
but not its name, description or trigger (type and threshold); its unlocker sees it all; signed
out, nobody does. The compiled read path answers exactly what the general path answers."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from db.auth.users import create_user
from db.auth.viewer import Viewer
from db.gamification.hidden import HIDDEN_NAME
from tests.compiler.differential import assert_same
from tests.compiler.test_differential import _both

QUERY = """
query {
  achievementDefinitions(first: 100) { edges { node {
    key name description triggerType triggerConfig isHidden } } }
  me { achievements(first: 10) { edges { node { achievement { key name description } } } } }
}
"""


def _by_key(result: Any) -> dict[str, dict[str, Any]]:
    edges = result.data["achievementDefinitions"]["edges"]
    return {e["node"]["key"]: e["node"] for e in edges}


async def test_hidden_until_earned_on_both_paths(demo: Any) -> None:
    suffix = uuid.uuid4().hex[:8]
    async with demo.engine.begin() as conn:
        hidden = [
            r.key
            for r in await conn.execute(
                sa.text("SELECT key FROM achievement_definitions WHERE is_hidden ORDER BY key")
            )
        ]
        assert len(hidden) >= 2, "the seeds have hidden achievements"
        unlocker = (await create_user(conn, email=f"hid-{suffix}@example.com", name="H")).id
        other = (await create_user(conn, email=f"hid2-{suffix}@example.com", name="O")).id
        await conn.execute(
            sa.text("INSERT INTO user_achievements (user_id, achievement_key) VALUES (:u, :k)"),
            {"u": unlocker, "k": hidden[0]},
        )
        stored = {
            r.key: r
            for r in await conn.execute(
                sa.text("SELECT key, name, description, trigger_type FROM achievement_definitions")
            )
        }
    try:
        for viewer, revealed in (
            (Viewer(unlocker), {hidden[0]}),
            (Viewer(other), set()),
            (None, set()),
        ):
            query = (
                QUERY
                if viewer
                else QUERY.replace(
                    "me { achievements(first: 10) { edges { node { achievement { key name "
                    "description } } } } }",
                    "",
                )
            )
            outcome, result = await _both(demo, query, None, viewer)
            assert_same(outcome, query, None)
            assert outcome.covered
            assert result.errors is None, result.errors
            rows = _by_key(result)
            assert hidden[0] in rows and hidden[1] in rows  # they exist for everybody
            for key in hidden:
                row = rows[key]
                if key in revealed:
                    assert row["name"] == stored[key].name
                    assert row["description"] == stored[key].description
                    assert row["triggerConfig"] != {}
                    assert row["triggerType"] == stored[key].trigger_type.upper()
                else:
                    assert row["name"] == HIDDEN_NAME
                    assert row["description"] is None
                    assert row["triggerConfig"] == {}
                    assert row["triggerType"] is None
            shown = next(k for k, r in rows.items() if not r["isHidden"])
            assert rows[shown]["name"] == stored[shown].name
            assert rows[shown]["triggerType"] == stored[shown].trigger_type.upper()
            if viewer is not None and revealed:
                (edge,) = result.data["me"]["achievements"]["edges"]
                assert edge["node"]["achievement"]["name"] == stored[hidden[0]].name
    finally:
        async with demo.engine.begin() as conn:
            await conn.execute(
                sa.text("DELETE FROM users WHERE id IN (:a, :b)"), {"a": unlocker, "b": other}
            )


def test_no_filter_probes_a_masked_column() -> None:
    """The masked columns have no filter field: filtering on the stored trigger type would tell
    a viewer which hidden achievement has which trigger."""
    from schema.sdl import schema

    filter_type = schema.get_type_by_name("AchievementDefinitionFilter")
    assert filter_type is not None
    names = {f.python_name for f in filter_type.fields}  # type: ignore[union-attr]
    assert "is_hidden" in names
    assert not names & {"trigger_type", "trigger_config", "name", "description"}
