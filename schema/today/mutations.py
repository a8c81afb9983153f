"""Today's writes: settings, onboarding, interests, seen achievements. The rules live in
``db/platform`` and ``db/today``; these declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from db.errors import NotFound
from db.platform import setting_transitions
from db.platform.settings import KEY
from db.today import transitions as today_transitions
from schema.core.mutations import Ids, Tx, id_arg, mutation


@strawberry.input(description="One setting to store.")
class SettingInput:
    key: Annotated[str, KEY] = strawberry.field(
        description="A known setting's key (`me.settings` lists them)."
    )
    value: JSON = strawberry.field(description="Its new value, of the setting's kind.")


@strawberry.input(description="Settings to store; the others keep their values.")
class UpdateSettingsInput:
    settings: list[SettingInput] = strawberry.field(description="The settings, each key once.")


@mutation(
    description="Store some of the viewer's settings. An unknown key or a value the setting "
    "does not allow is `InvalidInput` whose `field` names the key (`input.settings.timezone`), "
    "and nothing is stored.",
    returns={"settings": ["user_settings"]},
)
async def update_settings(tx: Tx, input: UpdateSettingsInput) -> Ids:
    items = [(item.key, item.value) for item in input.settings]
    return {"settings": await setting_transitions.write_settings(tx.conn, tx.viewer.user_id, items)}


@mutation(
    description="Mark some of the viewer's unlocked achievements as seen: they leave "
    "`me.today.unseenAchievements`. An id that is not the viewer's unlock is `NotFound` and "
    "nothing changes.",
    returns={"achievements": ["user_achievements"]},
    errors=(NotFound,),
    args={"ids": "Unlocks of the viewer (`UserAchievement.id`), each at most once."},
)
async def mark_achievements_seen(tx: Tx, ids: list[strawberry.ID]) -> Ids:
    unlocks = [id_arg(value, "ids") for value in ids]
    return {
        "achievements": await today_transitions.mark_achievements_seen(
            tx.conn, tx.viewer.user_id, unlocks
        )
    }
