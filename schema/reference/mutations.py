"""Reference-audio mutations: the metadata of the viewer's reference tracks, and their
annotations and regions. The rules live in :mod:`db.reference.rules` and
:mod:`db.reference.transitions`; these declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.errors import NotFound
from db.reference import transitions
from db.reference.models import ReferenceTrack, TrackAnnotation, TrackRegion
from db.reference.rules import (
    ANNOTATION_FIELDS,
    ANNOTATION_REQUIRED,
    REGION_FIELDS,
    REGION_REQUIRED,
    TRACK_FIELDS,
    TRACK_REQUIRED,
)
from db.reference.transitions import ANNOTATION, REGION, Mark
from schema.core.crud import of_kind, owned_mutations
from schema.core.rule_inputs import rules_input

_TRACK_NOTES = {
    "r2_key": "The client uploads the file there; the API stores no audio.",
    "mime_type": "An `audio/...` type; `audio/mpeg` by default.",
    "duration_seconds": "Every annotation and region lies inside it.",
    "status": "`READY` by default.",
}
_SPAN_NOTES = {
    "start_time_ms": "Inside the track (not after its duration).",
    "end_time_ms": "After `startTimeMs`, inside the track.",
}

CreateReferenceTrackInput: Any = rules_input(
    "CreateReferenceTrackInput",
    "The metadata of an audio file the viewer uploaded to object storage.",
    ReferenceTrack,
    TRACK_FIELDS,
    required=TRACK_REQUIRED,
    notes=_TRACK_NOTES,
)
UpdateReferenceTrackInput: Any = rules_input(
    "UpdateReferenceTrackInput",
    "The metadata to change; a field left out keeps its value, `null` clears an optional one.",
    ReferenceTrack,
    TRACK_FIELDS,
    notes=_TRACK_NOTES,
)
CreateTrackAnnotationInput: Any = rules_input(
    "CreateTrackAnnotationInput",
    "A note on a track, at one moment (no `endTimeMs`) or over a stretch.",
    TrackAnnotation,
    ANNOTATION_FIELDS,
    required=ANNOTATION_REQUIRED,
    notes=_SPAN_NOTES,
)
UpdateTrackAnnotationInput: Any = rules_input(
    "UpdateTrackAnnotationInput",
    "The fields to change; a field left out keeps its value, `null` clears an optional one.",
    TrackAnnotation,
    ANNOTATION_FIELDS,
    notes=_SPAN_NOTES,
)
CreateTrackRegionInput: Any = rules_input(
    "CreateTrackRegionInput",
    "A named section of a track (intro, verse, drop, ...).",
    TrackRegion,
    REGION_FIELDS,
    required=REGION_REQUIRED,
    notes=_SPAN_NOTES,
)
UpdateTrackRegionInput: Any = rules_input(
    "UpdateTrackRegionInput",
    "The fields to change; a field left out keeps its value, `null` clears an optional one.",
    TrackRegion,
    REGION_FIELDS,
    notes=_SPAN_NOTES,
)

TrackId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's reference tracks.")
]
AnnotationId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's track annotations.")
]
RegionId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's track regions.")
]


TRACK_MUTATIONS = owned_mutations(
    "reference_track",
    table="reference_tracks",
    payload="track",
    row_id=TrackId,
    inputs=(CreateReferenceTrackInput, UpdateReferenceTrackInput),
    create=transitions.create_track,
    update=transitions.update_track,
    delete=transitions.delete_track,
    descriptions=(
        "Record a reference track the viewer uploaded to object storage: its metadata and "
        "object key (the API stores no audio).",
        "Change some metadata of one of the viewer's reference tracks.",
        "Delete one of the viewer's reference tracks with its annotations, regions and "
        "analyses (the audio object in storage is the client's to remove).",
    ),
)


def _mark(mark: Mark) -> dict[str, Any]:
    """The arguments of :func:`owned_mutations` that name a track's annotations or regions
    (``mark``) and their transitions: created on a track (``trackId``)."""
    return {
        "kind": mark.event,
        "table": mark.table.name,
        "payload": mark.what,
        "cite": False,
        **of_kind(mark, transitions.create_mark, transitions.update_mark, transitions.delete_mark),
        "errors": ((NotFound,), (NotFound,), (NotFound,)),
        "parent": ("track_id", TrackId),
    }


ANNOTATION_MUTATIONS = owned_mutations(
    **_mark(ANNOTATION),
    row_id=AnnotationId,
    inputs=(CreateTrackAnnotationInput, UpdateTrackAnnotationInput),
    descriptions=(
        "Add a note to one of the viewer's reference tracks.",
        "Change some fields of one of the viewer's track annotations.",
        "Delete one of the viewer's track annotations.",
    ),
)
REGION_MUTATIONS = owned_mutations(
    **_mark(REGION),
    row_id=RegionId,
    inputs=(CreateTrackRegionInput, UpdateTrackRegionInput),
    descriptions=(
        "Mark a section on one of the viewer's reference tracks.",
        "Change some fields of one of the viewer's track regions.",
        "Delete one of the viewer's track regions.",
    ),
)
