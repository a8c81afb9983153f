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
from schema.core.mutations import Ids, Tx, given_fields, id_arg, mutation
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


@mutation(
    description="Record a reference track the viewer uploaded to object storage: its metadata "
    "and object key (the API stores no audio).",
    returns={"track": "reference_tracks"},
)
async def create_reference_track(tx: Tx, input: CreateReferenceTrackInput) -> Ids:
    return {
        "track": await transitions.create_track(tx.conn, tx.viewer.user_id, given_fields(input))
    }


@mutation(
    description="Change some metadata of one of the viewer's reference tracks.",
    returns={"track": "reference_tracks"},
    errors=(NotFound,),
)
async def update_reference_track(tx: Tx, id: TrackId, input: UpdateReferenceTrackInput) -> Ids:
    track_id = await transitions.update_track(
        tx.conn, tx.viewer.user_id, id_arg(id, "id"), given_fields(input)
    )
    return {"track": track_id}


@mutation(
    description="Delete one of the viewer's reference tracks with its annotations, regions and "
    "analyses (the audio object in storage is the client's to remove).",
    returns={"deleted_track_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_track_id": "The id the deleted track had (`ReferenceTrack.id`)."},
)
async def delete_reference_track(tx: Tx, id: TrackId) -> Ids:
    return {
        "deleted_track_id": await transitions.delete_track(
            tx.conn, tx.viewer.user_id, id_arg(id, "id")
        )
    }


async def _create(tx: Tx, mark: Mark, track_id: Any, input: Any) -> Any:
    return await transitions.create_mark(
        tx.conn, mark, tx.viewer.user_id, id_arg(track_id, "trackId"), given_fields(input)
    )


async def _update(tx: Tx, mark: Mark, mark_id: Any, input: Any) -> Any:
    return await transitions.update_mark(
        tx.conn, mark, tx.viewer.user_id, id_arg(mark_id, "id"), given_fields(input)
    )


async def _delete(tx: Tx, mark: Mark, mark_id: Any) -> Any:
    return await transitions.delete_mark(tx.conn, mark, tx.viewer.user_id, id_arg(mark_id, "id"))


@mutation(
    description="Add a note to one of the viewer's reference tracks.",
    returns={"annotation": "track_annotations"},
    errors=(NotFound,),
)
async def create_track_annotation(
    tx: Tx, track_id: TrackId, input: CreateTrackAnnotationInput
) -> Ids:
    return {"annotation": await _create(tx, ANNOTATION, track_id, input)}


@mutation(
    description="Change some fields of one of the viewer's track annotations.",
    returns={"annotation": "track_annotations"},
    errors=(NotFound,),
)
async def update_track_annotation(
    tx: Tx, id: AnnotationId, input: UpdateTrackAnnotationInput
) -> Ids:
    return {"annotation": await _update(tx, ANNOTATION, id, input)}


@mutation(
    description="Delete one of the viewer's track annotations.",
    returns={"deleted_annotation_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_annotation_id": "The id the deleted annotation had."},
)
async def delete_track_annotation(tx: Tx, id: AnnotationId) -> Ids:
    return {"deleted_annotation_id": await _delete(tx, ANNOTATION, id)}


@mutation(
    description="Mark a section on one of the viewer's reference tracks.",
    returns={"region": "track_regions"},
    errors=(NotFound,),
)
async def create_track_region(tx: Tx, track_id: TrackId, input: CreateTrackRegionInput) -> Ids:
    return {"region": await _create(tx, REGION, track_id, input)}


@mutation(
    description="Change some fields of one of the viewer's track regions.",
    returns={"region": "track_regions"},
    errors=(NotFound,),
)
async def update_track_region(tx: Tx, id: RegionId, input: UpdateTrackRegionInput) -> Ids:
    return {"region": await _update(tx, REGION, id, input)}


@mutation(
    description="Delete one of the viewer's track regions.",
    returns={"deleted_region_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_region_id": "The id the deleted region had."},
)
async def delete_track_region(tx: Tx, id: RegionId) -> Ids:
    return {"deleted_region_id": await _delete(tx, REGION, id)}
