"""The reference-audio rules that need no database: what a track's metadata, an annotation
and a region may hold, and where on the track's timeline they may lie.

Pure functions and declarations, called by :mod:`db.reference.transitions`. The API stores
metadata only: the audio lives in object storage under ``r2_key``, which the client uploads
to and names; no bytes pass through the API.

Timeline: times are whole milliseconds from the track's start. An annotation starts at
``start_time_ms`` and, when it covers a stretch, ends at ``end_time_ms`` after it; a region
always has both, the end after the start. Both lie inside the track: no later than its
duration (``duration_seconds`` * 1000) when the track knows it, and no later than
:data:`MAX_TIME_MS` anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from db.errors import InvalidInput
from db.fields import Choice, Flag, Number, Rule, Tags, Text, clean
from db.reference.models import ReferenceTrackStatus, TrackAnnotationCategory, TrackSectionType

#: The longest track, in seconds (24 hours), and so the latest time on a timeline, in ms.
MAX_DURATION_SECONDS = 24 * 3600
MAX_TIME_MS = MAX_DURATION_SECONDS * 1000
#: The largest audio file, in bytes (2 GiB - 1: the range of a GraphQL ``Int``).
MAX_FILE_SIZE_BYTES = 2**31 - 1
#: The slowest and the fastest tempo, in beats per minute.
MIN_BPM = 1
MAX_BPM = 999
#: The most regions one track may be ordered among (``display_order`` from 0 to this).
MAX_DISPLAY_ORDER = 10_000

#: ``reference_tracks`` columns a client sets (create and ``updateReferenceTrack``).
TRACK_FIELDS: dict[str, Rule] = {
    "name": Text(200, min=1, nullable=False, line=True),
    "description": Text(2000),
    "r2_key": Text(1024, min=1, nullable=False, line=True),
    "file_size_bytes": Number(0, MAX_FILE_SIZE_BYTES),
    "mime_type": Text(100, min=7, nullable=False, line=True),
    "duration_seconds": Number(0, MAX_DURATION_SECONDS, integer=False, nullable=True),
    "artist": Text(200, line=True),
    "album": Text(200, line=True),
    "genre": Text(100, line=True),
    "bpm": Number(MIN_BPM, MAX_BPM, integer=False, nullable=True),
    "key_signature": Text(50, line=True),
    "tags": Tags(),
    "status": Choice(ReferenceTrackStatus),
    "error_message": Text(1000),
}

#: The ``reference_tracks`` columns a create must give.
TRACK_REQUIRED = ("name", "r2_key", "file_size_bytes")

#: ``track_annotations`` columns a client sets (besides the track).
ANNOTATION_FIELDS: dict[str, Rule] = {
    "start_time_ms": Number(0, MAX_TIME_MS),
    "end_time_ms": Number(0, MAX_TIME_MS, nullable=True),
    "title": Text(200, min=1, nullable=False, line=True),
    "content": Text(5000),
    "category": Choice(TrackAnnotationCategory),
    "color": Text(32, line=True),
    "is_private": Flag(),
}

#: The ``track_annotations`` columns a create must give.
ANNOTATION_REQUIRED = ("start_time_ms", "title")

#: ``track_regions`` columns a client sets (besides the track).
REGION_FIELDS: dict[str, Rule] = {
    "start_time_ms": Number(0, MAX_TIME_MS),
    "end_time_ms": Number(0, MAX_TIME_MS),
    "name": Text(200, min=1, nullable=False, line=True),
    "description": Text(2000),
    "section_type": Choice(TrackSectionType),
    "color": Text(32, line=True),
    "display_order": Number(0, MAX_DISPLAY_ORDER),
}


#: The ``track_regions`` columns a create must give.
REGION_REQUIRED = ("start_time_ms", "end_time_ms", "name")


def check_mime_type(mime_type: str | None) -> None:
    """An audio file's media type is ``audio/<subtype>``.

    Raises:
        InvalidInput: ``input.mimeType``.
    """
    if mime_type is not None and not (
        mime_type.startswith("audio/") and len(mime_type) > len("audio/")
    ):
        raise InvalidInput("An audio media type, such as `audio/mpeg`.", field="input.mimeType")


def duration_ms(duration_seconds: float | None) -> int | None:
    """A track's length in whole milliseconds (rounded up: a time in its last fraction of a
    millisecond is inside it); None when unknown."""
    if duration_seconds is None:
        return None
    return int(-(-duration_seconds * 1000 // 1))


def check_span(
    start_ms: int, end_ms: int | None, track_ms: int | None, *, end_required: bool
) -> None:
    """A span on a track's timeline: ``end_ms`` after ``start_ms`` (required for a region,
    optional for an annotation), both no later than the track's length ``track_ms`` (None:
    unknown).

    Raises:
        InvalidInput: ``input.endTimeMs`` (missing, or not after the start, or past the end of
            the track) or ``input.startTimeMs`` (past the end of the track).
    """
    if end_ms is None:
        if end_required:
            raise InvalidInput("A region needs an end.", field="input.endTimeMs")
    elif end_ms <= start_ms:
        raise InvalidInput("The end comes after the start.", field="input.endTimeMs")
    if track_ms is not None:
        if start_ms > track_ms:
            raise InvalidInput(
                f"The track lasts {track_ms} ms: start inside it.", field="input.startTimeMs"
            )
        if end_ms is not None and end_ms > track_ms:
            raise InvalidInput(
                f"The track lasts {track_ms} ms: end inside it.", field="input.endTimeMs"
            )


def track_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata of a new track as it is stored: ``values`` (columns of
    :data:`TRACK_FIELDS`, the :data:`TRACK_REQUIRED` ones present) checked and normalised
    by their rules, the media type by :func:`check_mime_type`. ``createReferenceTrack`` and
    the demo data both build tracks with it.

    Raises:
        InvalidInput: a field its rule refuses (``field`` names it).
    """
    row = clean(values, TRACK_FIELDS, required=TRACK_REQUIRED)
    check_mime_type(row.get("mime_type"))
    return row


def mark_values(
    values: Mapping[str, Any],
    fields: Mapping[str, Rule],
    required: tuple[str, ...],
    track_ms: int | None,
    *,
    end_required: bool,
) -> dict[str, Any]:
    """A new annotation or region (``fields``/``required``: :data:`ANNOTATION_FIELDS` or
    :data:`REGION_FIELDS` and theirs; ``end_required`` for a region) as it is stored: checked
    and normalised by the field rules, the span by :func:`check_span` against the track's
    length ``track_ms`` (None: not known yet). The create mutations and the demo data both
    build marks with it.

    Raises:
        InvalidInput: a field its rule refuses, or a span outside the track.
    """
    row = clean(values, fields, required=required)
    check_span(row["start_time_ms"], row.get("end_time_ms"), track_ms, end_required=end_required)
    return row


__all__ = [
    "ANNOTATION_FIELDS",
    "ANNOTATION_REQUIRED",
    "MAX_BPM",
    "MAX_DISPLAY_ORDER",
    "MAX_DURATION_SECONDS",
    "MAX_FILE_SIZE_BYTES",
    "MAX_TIME_MS",
    "MIN_BPM",
    "REGION_FIELDS",
    "REGION_REQUIRED",
    "TRACK_FIELDS",
    "TRACK_REQUIRED",
    "check_mime_type",
    "check_span",
    "duration_ms",
    "mark_values",
    "track_values",
]
