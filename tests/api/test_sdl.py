"""The committed SDL (schema/schema.graphql) is the running schema: every API change shows in
review (STYLE.md, Saleor's habit)."""

from pathlib import Path

from strawberry.printer import print_schema

from schema import build_schema
from schema.core.strawberry_adapter import graphql_core_schema

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_committed_sdl_matches_the_running_schema() -> None:
    running = print_schema(build_schema()).strip()
    committed = SDL.read_text().strip()
    assert running == committed, (
        "schema/schema.graphql is stale: run "
        "`strawberry export-schema schema.sdl:schema --output schema/schema.graphql`"
    )


def test_every_table_has_a_type() -> None:
    from db import metadata
    from schema.core.tables import build_catalog

    catalog = build_catalog()
    sdl = SDL.read_text()
    for table in metadata.tables:
        if not metadata.tables[table].info.get("graphql", True):
            continue  # internal (idempotency_keys)
        assert f"type {catalog[table].type_name} " in sdl, table


def test_me_carries_everything_the_viewer_owns() -> None:
    """The fields of ``me`` the frontend relies on."""
    expected = {
        "wallet", "progress", "streaks", "skills", "achievements", "ledger", "focusSessions",
        "activeFocusSession", "habits", "goals", "quests", "questProgress", "purchases",
        "dailyPlans", "calendarEvents", "books", "workouts", "workoutSessions",
        "trainingPrograms", "personalRecords", "lessonProgress", "drillStats",
        "referenceTracks", "ideas", "inboxItems", "references", "settings", "onboardingState",
        "interests", "feedback", "focusLibraries", "activityEvents",
    }  # fmt: skip
    graphql_schema = graphql_core_schema(build_schema())
    missing = expected - set(graphql_schema.type_map["User"].fields)  # type: ignore[attr-defined]
    assert not missing, missing
