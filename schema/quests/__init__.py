"""Quests: universal quests (the catalog), the viewer's progress on them, their own quests."""

from schema.core.spec import RootField, TableSpec, register

register(
    TableSpec(
        "universal_quests",
        roots=(
            RootField(
                "universalQuests", "Daily, weekly, monthly and special quests anyone can accept."
            ),
        ),
    ),
)
