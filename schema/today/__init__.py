"""Today: the viewer's settings with their defaults (``User.settings``), the home screen's
state and next action (``User.today``), and the writes that feed them (settings, onboarding,
interests, seen achievements)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from db import metadata
from db.platform.settings import REGISTRY, effective
from schema.core.spec import TableSpec, add_field, register

if TYPE_CHECKING:
    from gateway.context import Context

_settings = metadata.tables["user_settings"]

#: The generated connection over ``user_settings`` is ``User.storedSettings`` (the stored rows
#: only); ``User.settings`` answers every known key.
register(TableSpec("user_settings", reverse_names={"user_id": "storedSettings"}))


@strawberry.type(description="One known setting of the viewer, with its default filled in.")
class SettingValue:
    key: str = strawberry.field(description="The setting's key (`timezone`, `nudge_intensity`).")
    value: JSON = strawberry.field(description="Its value: the stored one, else the default.")
    is_default: bool = strawberry.field(
        description="True when the user never set it (or its stored value is no longer valid)."
    )
    kind: str = strawberry.field(
        description="The JSON type of the value: string, integer, boolean."
    )
    default: JSON = strawberry.field(description="The value a user who never set it has.")
    allowed_values: list[str] = strawberry.field(
        description="For a string setting with a fixed set, the values allowed (else empty)."
    )
    minimum: int | None = strawberry.field(description="For an integer setting, its minimum.")
    maximum: int | None = strawberry.field(description="For an integer setting, its maximum.")
    description: str = strawberry.field(description="What the setting means.")


def viewer_is(root: Any, info: strawberry.Info) -> bool:
    """Whether the ``User`` row ``root`` is the signed-in viewer's own (the personal fields
    answer null on anyone else's row, e.g. in the admin's ``users`` list)."""
    ctx: Context = info.context
    return ctx.viewer is not None and ctx.viewer.user_id == root.id


async def stored_settings(ctx: Context, user_id: Any) -> dict[str, Any]:
    """The user's ``user_settings`` rows as key -> JSON value (one statement)."""
    rows = await ctx.reader.fetch(
        sa.select(_settings.c.key, _settings.c.value).where(_settings.c.user_id == user_id)
    )
    return {row.key: row.value for row in rows}


def _settings_field(factory: Any) -> Any:
    async def settings(root: Any, info: strawberry.Info) -> list[SettingValue] | None:
        if not viewer_is(root, info):
            return None
        stored = await stored_settings(info.context, root.id)
        values = effective(stored)
        return [
            SettingValue(
                key=key,
                value=value,
                is_default=key not in stored or stored[key] != value,
                kind=REGISTRY[key].kind,
                default=REGISTRY[key].default,
                allowed_values=list(REGISTRY[key].allowed),
                minimum=REGISTRY[key].minimum,
                maximum=REGISTRY[key].maximum,
                description=REGISTRY[key].description,
            )
            for key, value in values.items()
        ]

    return strawberry.field(
        resolver=settings,
        description="Every known setting of the viewer, stored or default (null on another "
        "user's row).",
    )


add_field("users", "settings", _settings_field)
