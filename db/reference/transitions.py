"""Reference-audio transitions: a track's metadata (create, update, delete), and the viewer's
annotations and regions on it (create, update, delete). The rules are
:mod:`db.reference.rules`; every field is checked before any SQL.

Only the viewer's rows are found (another user's id is ``NotFound``). Deleting a track deletes
its annotations, regions and analysis runs (with their frames and events: ``ON DELETE
CASCADE``). Every transition appends an ``activity_events`` row (category ``reference``).

Lock order: the track, then (for an annotation or region being changed) the annotation or
region; the track's lock serialises a change of its duration with the spans on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.errors import InvalidInput, NotFound
from db.fields import Rule, clean
from db.ownership import delete_owned, lock_owned, set_columns
from db.reference.rules import (
    ANNOTATION_FIELDS,
    ANNOTATION_REQUIRED,
    REGION_FIELDS,
    REGION_REQUIRED,
    TRACK_FIELDS,
    check_mime_type,
    check_span,
    duration_ms,
    mark_values,
    track_values,
)

_tracks = metadata.tables["reference_tracks"]
_annotations = metadata.tables["track_annotations"]
_regions = metadata.tables["track_regions"]

#: The activity feed's category of these transitions.
CATEGORY = "reference"


async def _lock_track(conn: AsyncConnection, user_id: uuid.UUID, track_id: uuid.UUID) -> Any:
    return await lock_owned(
        conn, _tracks, track_id, user_id, resource="ReferenceTrack", what="reference track"
    )


async def create_track(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Record the metadata of a track the user uploaded to object storage (``r2_key``: its
    object key; the API stores no bytes).

    Args:
        values: columns of :data:`~db.reference.rules.TRACK_FIELDS` (``name``, ``r2_key`` and
            ``file_size_bytes`` required; the others take their defaults when absent).

    Returns:
        The new ``reference_tracks`` id.

    Raises:
        InvalidInput: a field its rule refuses, or a media type that is not ``audio/...``.
    """
    row = track_values(values)
    track_id = (
        await conn.execute(
            sa.insert(_tracks).values(user_id=user_id, **row).returning(_tracks.c.id)
        )
    ).scalar_one()
    await record_activity(
        conn,
        user_id,
        "reference_track.created",
        CATEGORY,
        {"track_id": str(track_id), "name": row["name"]},
    )
    return uuid.UUID(str(track_id))


async def update_track(
    conn: AsyncConnection, user_id: uuid.UUID, track_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given metadata fields of the user's track (a key absent from ``changes``
    keeps its value; None clears an optional one). A shorter ``duration_seconds`` must still
    hold every annotation and region of the track.

    Returns:
        The track's id.

    Raises:
        InvalidInput: nothing to change, a field its rule refuses, a media type that is not
            ``audio/...``, or a duration that would cut an annotation or region
            (``input.durationSeconds``).
        NotFound: no such track of the user.
    """
    values = clean(changes, TRACK_FIELDS, partial=True)
    check_mime_type(values.get("mime_type"))
    await _lock_track(conn, user_id, track_id)
    new_ms = duration_ms(values.get("duration_seconds"))
    if new_ms is not None:
        latest = (
            await conn.execute(
                sa.select(
                    sa.func.greatest(
                        sa.select(
                            sa.func.max(
                                sa.func.coalesce(
                                    _annotations.c.end_time_ms, _annotations.c.start_time_ms
                                )
                            )
                        )
                        .where(_annotations.c.track_id == track_id)
                        .scalar_subquery(),
                        sa.select(sa.func.max(_regions.c.end_time_ms))
                        .where(_regions.c.track_id == track_id)
                        .scalar_subquery(),
                    )
                )
            )
        ).scalar_one()
        if latest is not None and latest > new_ms:
            raise InvalidInput(
                f"An annotation or region of this track reaches {latest} ms: the track must "
                "last at least that long.",
                field="input.durationSeconds",
            )
    await set_columns(conn, _tracks, track_id, values)
    await record_activity(
        conn,
        user_id,
        "reference_track.updated",
        CATEGORY,
        {"track_id": str(track_id), "fields": sorted(values)},
    )
    return track_id


async def delete_track(conn: AsyncConnection, user_id: uuid.UUID, track_id: uuid.UUID) -> uuid.UUID:
    """Delete the user's track's metadata with its annotations, regions and analyses (the
    audio object in storage is the client's to remove).

    Returns:
        The deleted track's id.

    Raises:
        NotFound: no such track of the user.
    """
    row = await delete_owned(
        conn, _tracks, track_id, user_id, resource="ReferenceTrack", what="reference track"
    )
    await record_activity(
        conn,
        user_id,
        "reference_track.deleted",
        CATEGORY,
        {"track_id": str(track_id), "name": row.name, "r2_key": row.r2_key},
    )
    return track_id


@dataclass(frozen=True)
class Mark:
    """A kind of span a user marks on a track: annotations and regions share their rules.

    Attributes:
        table: ``track_annotations`` or ``track_regions``.
        fields: the rules of the columns a client sets.
        required: the columns a create must give.
        resource: the GraphQL type for ``NotFound`` (``TrackAnnotation``).
        what: its name in messages (``annotation``).
        end_required: a region always has an end; an annotation may be at one moment.
    """

    table: sa.Table
    fields: Mapping[str, Rule]
    required: tuple[str, ...]
    resource: str
    what: str
    end_required: bool

    @property
    def event(self) -> str:
        """The prefix of its activity event types (``track_annotation``)."""
        return f"track_{self.what}"


ANNOTATION = Mark(
    _annotations, ANNOTATION_FIELDS, ANNOTATION_REQUIRED, "TrackAnnotation", "annotation", False
)
REGION = Mark(_regions, REGION_FIELDS, REGION_REQUIRED, "TrackRegion", "region", True)


async def create_mark(
    conn: AsyncConnection,
    mark: Mark,
    user_id: uuid.UUID,
    track_id: uuid.UUID,
    values: Mapping[str, Any],
) -> uuid.UUID:
    """Mark a span on the user's track (an annotation or a region, ``mark``).

    Args:
        values: columns of ``mark.fields`` (``start_time_ms`` and the title or name
            required; a region's ``end_time_ms`` too).

    Returns:
        The new row's id.

    Raises:
        InvalidInput: a field its rule refuses, or a span that is not inside the track
            (:func:`~db.reference.rules.check_span`).
        NotFound: no such track of the user (``resource`` ``ReferenceTrack``).
    """
    row = mark_values(values, mark.fields, mark.required, None, end_required=mark.end_required)
    track = await _lock_track(conn, user_id, track_id)
    check_span(
        row["start_time_ms"],
        row.get("end_time_ms"),
        duration_ms(track.duration_seconds),
        end_required=mark.end_required,
    )
    mark_id = (
        await conn.execute(
            sa.insert(mark.table)
            .values(track_id=track_id, user_id=user_id, **row)
            .returning(mark.table.c.id)
        )
    ).scalar_one()
    await record_activity(
        conn,
        user_id,
        f"{mark.event}.created",
        CATEGORY,
        {f"{mark.what}_id": str(mark_id), "track_id": str(track_id)},
    )
    return uuid.UUID(str(mark_id))


async def update_mark(
    conn: AsyncConnection,
    mark: Mark,
    user_id: uuid.UUID,
    mark_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> uuid.UUID:
    """Change the given fields of the user's annotation or region (absent keys keep their
    value); the span after the change must still lie inside the track.

    Returns:
        The row's id.

    Raises:
        InvalidInput: nothing to change, a field its rule refuses, a span not inside the track.
        NotFound: no such annotation or region of the user.
    """
    values = clean(changes, mark.fields, partial=True)
    if "start_time_ms" in values and "end_time_ms" in values:
        check_span(
            values["start_time_ms"], values["end_time_ms"], None, end_required=mark.end_required
        )
    # The track first (the lock order), then the row itself.
    track_id = (
        await conn.execute(
            sa.select(mark.table.c.track_id).where(
                mark.table.c.id == mark_id, mark.table.c.user_id == user_id
            )
        )
    ).scalar_one_or_none()
    if track_id is None:
        raise NotFound(f"There is no such {mark.what}.", resource=mark.resource)
    track = await _lock_track(conn, user_id, track_id)
    current = await lock_owned(
        conn, mark.table, mark_id, user_id, resource=mark.resource, what=mark.what
    )
    check_span(
        values.get("start_time_ms", current.start_time_ms),
        values.get("end_time_ms", current.end_time_ms),
        duration_ms(track.duration_seconds),
        end_required=mark.end_required,
    )
    await set_columns(conn, mark.table, mark_id, values)
    await record_activity(
        conn,
        user_id,
        f"{mark.event}.updated",
        CATEGORY,
        {f"{mark.what}_id": str(mark_id), "fields": sorted(values)},
    )
    return mark_id


async def delete_mark(
    conn: AsyncConnection, mark: Mark, user_id: uuid.UUID, mark_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's annotation or region.

    Returns:
        The deleted row's id.

    Raises:
        NotFound: no such annotation or region of the user.
    """
    row = await delete_owned(
        conn, mark.table, mark_id, user_id, resource=mark.resource, what=mark.what
    )
    await record_activity(
        conn,
        user_id,
        f"{mark.event}.deleted",
        CATEGORY,
        {f"{mark.what}_id": str(mark_id), "track_id": str(row.track_id)},
    )
    return mark_id


__all__ = [
    "ANNOTATION",
    "CATEGORY",
    "REGION",
    "Mark",
    "create_mark",
    "create_track",
    "delete_mark",
    "delete_track",
    "update_mark",
    "update_track",
]
