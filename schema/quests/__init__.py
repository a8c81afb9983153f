"""Quests: universal quests (the catalog), the viewer's progress on them, their own quests."""

from schema.core.spec import Domain, RootField, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec(
            "universal_quests",
            roots=(
                RootField(
                    "universalQuests",
                    "Daily, weekly, monthly and special quests anyone can accept.",
                ),
            ),
        ),
    ),
)
