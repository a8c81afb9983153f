"""Reference audio: ``createReferenceTrack``, ``updateReferenceTrack``,
``deleteReferenceTrack`` and the annotations and regions on a track. Each success, each typed
error (every refusal leaves the database as it was), another user's ids, and the timeline
rule: ``startTimeMs < endTimeMs`` inside the track's duration."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.errors import InvalidInput
from db.fields import Number, Tags, Text, check, clean
from db.reference.rules import check_span, duration_ms
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, refused
from tests.support.money import scalar

INVALID = """
    ... on DomainError { code message }
    ... on InvalidInput { field }
"""
ERRORS = INVALID + "    ... on NotFound { resource }\n"
TRACK = """id name description r2Key fileSizeBytes mimeType durationSeconds artist bpm
    keySignature tags status"""
CREATE_TRACK = f"""
mutation ($input: CreateReferenceTrackInput!) {{
  createReferenceTrack(input: $input) {{
    __typename ... on CreateReferenceTrackSuccess {{ track {{ {TRACK} }} }} {INVALID}
  }}
}}"""
UPDATE_TRACK = f"""
mutation ($id: ID!, $input: UpdateReferenceTrackInput!) {{
  updateReferenceTrack(id: $id, input: $input) {{
    __typename ... on UpdateReferenceTrackSuccess {{ track {{ {TRACK} }} }} {ERRORS}
  }}
}}"""
DELETE_TRACK = f"""
mutation ($id: ID!) {{
  deleteReferenceTrack(id: $id) {{
    __typename ... on DeleteReferenceTrackSuccess {{ deletedTrackId }} {ERRORS}
  }}
}}"""
SPAN = "id startTimeMs endTimeMs"


def _mark(action: str, kind: str, fields: str) -> str:
    name = f"{action}Track{kind}"
    arg = "$trackId: ID!" if action == "create" else "$id: ID!"
    use = "trackId: $trackId" if action == "create" else "id: $id"
    inputs = "" if action == "delete" else f", $input: {name[0].upper()}{name[1:]}Input!"
    given = "" if action == "delete" else ", input: $input"
    success = fields if action != "delete" else f"deleted{kind}Id"
    return f"""
mutation ({arg}{inputs}) {{
  {name}({use}{given}) {{
    __typename ... on {name[0].upper()}{name[1:]}Success {{ {success} }} {ERRORS}
  }}
}}"""


ANNOTATION = f"annotation {{ {SPAN} title content category color isPrivate track {{ id }} }}"
REGION = f"region {{ {SPAN} name sectionType displayOrder color }}"
CREATE_ANNOTATION = _mark("create", "Annotation", ANNOTATION)
UPDATE_ANNOTATION = _mark("update", "Annotation", ANNOTATION)
DELETE_ANNOTATION = _mark("delete", "Annotation", "")
CREATE_REGION = _mark("create", "Region", REGION)
UPDATE_REGION = _mark("update", "Region", REGION)
DELETE_REGION = _mark("delete", "Region", "")


def track_input(**extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "name": "Reference mix",
            "r2Key": f"users/abc/{uuid.uuid4().hex}.mp3",
            "fileSizeBytes": 5_000_000,
            "durationSeconds": 180.5,
            **extra,
        }
    }


async def new_track(mutate: Mutate, viewer: Any, **extra: Any) -> dict[str, Any]:
    result = await mutate(CREATE_TRACK, track_input(**extra), viewer=viewer)
    assert result.errors == [], result.errors
    payload = result.data["createReferenceTrack"]
    assert payload["__typename"] == "CreateReferenceTrackSuccess", payload
    track: dict[str, Any] = payload["track"]
    return track


# ---- the rules as pure functions ---------------------------------------------------------


def test_field_rules() -> None:
    assert check("name", Text(10, min=1, nullable=False), "  Mix  ") == "Mix"
    assert clean({"tags": ["a", " a", "b"]}, {"tags": Tags()}) == {"tags": ["a", "b"]}
    for value in (True, 1.5, float("inf"), -1, 11, "3"):
        with pytest.raises(InvalidInput) as refused_value:
            check("start_time_ms", Number(0, 10), value)
        assert refused_value.value.field == "input.startTimeMs"
    with pytest.raises(InvalidInput) as empty:
        clean({}, {"name": Text(5)}, partial=True)
    assert empty.value.field == "input"
    with pytest.raises(InvalidInput) as missing:
        clean({"name": "x"}, {"name": Text(5), "r2_key": Text(5)}, required=("r2_key",))
    assert missing.value.field == "input.r2Key"


def test_span_rules() -> None:
    assert duration_ms(180.5) == 180_500 and duration_ms(0.0005) == 1 and duration_ms(None) is None
    check_span(0, None, 1000, end_required=False)
    check_span(0, 1000, 1000, end_required=True)
    check_span(5, 10, None, end_required=True)
    for start, end, track, required, field in (
        (10, 10, None, False, "input.endTimeMs"),
        (10, 5, None, False, "input.endTimeMs"),
        (0, None, None, True, "input.endTimeMs"),
        (0, 1001, 1000, False, "input.endTimeMs"),
        (1001, None, 1000, False, "input.startTimeMs"),
    ):
        with pytest.raises(InvalidInput) as refused_span:
            check_span(start, end, track, end_required=required)
        assert refused_span.value.field == field


# ---- tracks --------------------------------------------------------------------------------


async def test_create_update_delete_a_track(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    track = await new_track(
        mutate, user, tags=["house", " house ", "mix"], bpm=124.0, artist="  Someone  "
    )
    assert track["tags"] == ["house", "mix"]
    assert (track["artist"], track["bpm"], track["mimeType"], track["status"]) == (
        "Someone",
        124.0,
        "audio/mpeg",
        "READY",
    )
    assert track["description"] is None
    # A partial update changes only what it is given; null clears an optional field.
    result = await mutate(
        UPDATE_TRACK,
        {"id": track["id"], "input": {"keySignature": "A minor", "artist": None}},
        viewer=user,
    )
    updated = result.data["updateReferenceTrack"]["track"]
    assert updated == {**track, "keySignature": "A minor", "artist": None}
    deleted = await mutate(DELETE_TRACK, {"id": track["id"]}, viewer=user)
    assert deleted.data["deleteReferenceTrack"]["deletedTrackId"] == track["id"]
    assert not await scalar(
        engine, "SELECT count(*) FROM reference_tracks WHERE user_id = :u", u=user.user_id
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM activity_events WHERE user_id = :u AND category = 'reference'",
            u=user.user_id,
        )
        == 3
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"name": "   "}, "input.name"),
        ({"name": "x" * 201}, "input.name"),
        ({"r2Key": "a\nb"}, "input.r2Key"),
        ({"fileSizeBytes": -1}, "input.fileSizeBytes"),
        ({"mimeType": "video/mp4"}, "input.mimeType"),
        ({"durationSeconds": -0.5}, "input.durationSeconds"),
        ({"durationSeconds": 86_401.0}, "input.durationSeconds"),
        ({"bpm": 0.0}, "input.bpm"),
        ({"bpm": 1000.0}, "input.bpm"),
        ({"tags": ["x" * 51]}, "input.tags"),
        ({"tags": [str(n) for n in range(21)]}, "input.tags"),
        ({"status": None}, "input.status"),
        ({"description": "x" * 2001}, "input.description"),
    ],
)
async def test_a_bad_track_field_is_refused_before_any_write(
    mutate: Mutate, engine: AsyncEngine, extra: dict[str, Any], field: str
) -> None:
    user = await committed_user(engine)
    error = await refused(engine, mutate, CREATE_TRACK, track_input(**extra), user)
    assert (error["__typename"], error["field"]) == ("InvalidInput", field)


async def test_track_updates_refused(mutate: Mutate, engine: AsyncEngine) -> None:
    owner, stranger = await committed_user(engine), await committed_user(engine)
    track = await new_track(mutate, owner)
    await mutate(
        CREATE_REGION,
        {"trackId": track["id"], "input": {"startTimeMs": 0, "endTimeMs": 120_000, "name": "A"}},
        viewer=owner,
    )
    cases = [
        ({"id": track["id"], "input": {}}, owner, "InvalidInput", "input"),
        ({"id": track["id"], "input": {"name": None}}, owner, "InvalidInput", "input.name"),
        (
            {"id": track["id"], "input": {"durationSeconds": 119.0}},
            owner,
            "InvalidInput",
            "input.durationSeconds",
        ),
        ({"id": track["id"], "input": {"name": "mine"}}, stranger, "NotFound", None),
        ({"id": str(uuid.uuid4()), "input": {"name": "x"}}, owner, "NotFound", None),
        ({"id": "42", "input": {"name": "x"}}, owner, "InvalidInput", "id"),
    ]
    for variables, viewer, kind, field in cases:
        error = await refused(engine, mutate, UPDATE_TRACK, variables, viewer)
        assert error["__typename"] == kind, (variables, error)
        assert error.get("field") == field
        if kind == "NotFound":
            assert error["resource"] == "ReferenceTrack"
    # Exactly as long as the region: allowed.
    ok = await mutate(
        UPDATE_TRACK, {"id": track["id"], "input": {"durationSeconds": 120.0}}, viewer=owner
    )
    assert ok.data["updateReferenceTrack"]["track"]["durationSeconds"] == 120.0
    error = await refused(engine, mutate, DELETE_TRACK, {"id": track["id"]}, stranger)
    assert (error["__typename"], error["resource"]) == ("NotFound", "ReferenceTrack")


async def test_deleting_a_track_deletes_its_annotations_regions_and_analyses(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    user = await committed_user(engine)
    track = await new_track(mutate, user)
    await mutate(
        CREATE_ANNOTATION,
        {"trackId": track["id"], "input": {"startTimeMs": 1000, "title": "Kick"}},
        viewer=user,
    )
    await mutate(
        CREATE_REGION,
        {"trackId": track["id"], "input": {"startTimeMs": 0, "endTimeMs": 1000, "name": "Intro"}},
        viewer=user,
    )
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("INSERT INTO track_analyses (track_id) VALUES (:t)"), {"t": track["id"]}
        )
    await mutate(DELETE_TRACK, {"id": track["id"]}, viewer=user)
    for table in ("track_annotations", "track_regions", "track_analyses"):
        assert not await scalar(
            engine, f"SELECT count(*) FROM {table} WHERE track_id = :t", t=uuid.UUID(track["id"])
        )


# ---- annotations and regions ---------------------------------------------------------------


async def test_annotations_and_regions_on_the_timeline(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    track = await new_track(mutate, user, durationSeconds=60.0)
    moment = await mutate(
        CREATE_ANNOTATION,
        {"trackId": track["id"], "input": {"startTimeMs": 60_000, "title": " Last hit "}},
        viewer=user,
    )
    note = moment.data["createTrackAnnotation"]["annotation"]
    assert (note["startTimeMs"], note["endTimeMs"], note["title"]) == (60_000, None, "Last hit")
    assert (note["category"], note["color"], note["isPrivate"]) == ("GENERAL", "#3b82f6", True)
    assert note["track"] == {"id": track["id"]}
    # Partial update: only the given fields; the merged span is checked.
    moved = await mutate(
        UPDATE_ANNOTATION,
        {
            "id": note["id"],
            "input": {"startTimeMs": 10_000, "endTimeMs": 20_000, "category": "MIX"},
        },
        viewer=user,
    )
    assert moved.data["updateTrackAnnotation"]["annotation"] == {
        **note,
        "startTimeMs": 10_000,
        "endTimeMs": 20_000,
        "category": "MIX",
    }
    for changes, field in (
        ({"startTimeMs": 20_000}, "input.endTimeMs"),
        ({"endTimeMs": 60_001}, "input.endTimeMs"),
        ({"endTimeMs": 5_000}, "input.endTimeMs"),
        ({"title": ""}, "input.title"),
        ({"isPrivate": None}, "input.isPrivate"),
        ({"startTimeMs": -1}, "input.startTimeMs"),
    ):
        error = await refused(
            engine, mutate, UPDATE_ANNOTATION, {"id": note["id"], "input": changes}, user
        )
        assert (error["__typename"], error["field"]) == ("InvalidInput", field), changes
    region = (
        await mutate(
            CREATE_REGION,
            {
                "trackId": track["id"],
                "input": {
                    "startTimeMs": 0,
                    "endTimeMs": 15_000,
                    "name": "Intro",
                    "sectionType": "INTRO",
                },
            },
            viewer=user,
        )
    ).data["createTrackRegion"]["region"]
    assert (region["sectionType"], region["displayOrder"], region["color"]) == (
        "INTRO",
        0,
        "#10b981",
    )
    renamed = await mutate(
        UPDATE_REGION, {"id": region["id"], "input": {"name": "Cold open"}}, viewer=user
    )
    assert renamed.data["updateTrackRegion"]["region"] == {**region, "name": "Cold open"}
    for variables, field in (
        (
            {"trackId": track["id"], "input": {"startTimeMs": 5, "endTimeMs": 5, "name": "x"}},
            "input.endTimeMs",
        ),
        (
            {"trackId": track["id"], "input": {"startTimeMs": 0, "endTimeMs": 60_001, "name": "x"}},
            "input.endTimeMs",
        ),
        (
            {
                "trackId": track["id"],
                "input": {"startTimeMs": 0, "endTimeMs": 10, "name": "x", "displayOrder": -1},
            },
            "input.displayOrder",
        ),
        ({"trackId": "nope", "input": {"startTimeMs": 0, "endTimeMs": 10, "name": "x"}}, "trackId"),
    ):
        error = await refused(engine, mutate, CREATE_REGION, variables, user)
        assert (error["__typename"], error["field"]) == ("InvalidInput", field), variables
    error = await refused(
        engine, mutate, UPDATE_REGION, {"id": region["id"], "input": {"endTimeMs": None}}, user
    )
    assert (error["__typename"], error["field"]) == ("InvalidInput", "input.endTimeMs")
    gone = await mutate(DELETE_REGION, {"id": region["id"]}, viewer=user)
    assert gone.data["deleteTrackRegion"]["deletedRegionId"] == region["id"]
    gone = await mutate(DELETE_ANNOTATION, {"id": note["id"]}, viewer=user)
    assert gone.data["deleteTrackAnnotation"]["deletedAnnotationId"] == note["id"]
    error = await refused(engine, mutate, DELETE_ANNOTATION, {"id": note["id"]}, user)
    assert (error["__typename"], error["resource"]) == ("NotFound", "TrackAnnotation")


async def test_another_users_track_annotation_and_region_are_not_found(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    owner, stranger = await committed_user(engine), await committed_user(engine)
    track = await new_track(mutate, owner)
    note = (
        await mutate(
            CREATE_ANNOTATION,
            {"trackId": track["id"], "input": {"startTimeMs": 0, "title": "mine"}},
            viewer=owner,
        )
    ).data["createTrackAnnotation"]["annotation"]
    region = (
        await mutate(
            CREATE_REGION,
            {"trackId": track["id"], "input": {"startTimeMs": 0, "endTimeMs": 9, "name": "A"}},
            viewer=owner,
        )
    ).data["createTrackRegion"]["region"]
    for query, variables, resource in (
        (
            CREATE_ANNOTATION,
            {"trackId": track["id"], "input": {"startTimeMs": 0, "title": "x"}},
            "ReferenceTrack",
        ),
        (
            CREATE_REGION,
            {"trackId": track["id"], "input": {"startTimeMs": 0, "endTimeMs": 9, "name": "x"}},
            "ReferenceTrack",
        ),
        (UPDATE_ANNOTATION, {"id": note["id"], "input": {"title": "x"}}, "TrackAnnotation"),
        (DELETE_ANNOTATION, {"id": note["id"]}, "TrackAnnotation"),
        (UPDATE_REGION, {"id": region["id"], "input": {"name": "x"}}, "TrackRegion"),
        (DELETE_REGION, {"id": region["id"]}, "TrackRegion"),
    ):
        error = await refused(engine, mutate, query, variables, stranger)
        assert (error["__typename"], error["resource"]) == ("NotFound", resource)


async def test_a_shrinking_track_and_new_regions_never_leave_a_region_outside(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    """Concurrently: regions ending at 90 s and a shrink of the track to 50 s. The track's
    lock orders them: whatever wins, no region ends past the track's duration."""
    for _ in range(3):
        user = await committed_user(engine)
        track = await new_track(mutate, user, durationSeconds=100.0)
        region = {"startTimeMs": 80_000, "endTimeMs": 90_000, "name": "Outro"}
        calls = [
            mutate(CREATE_REGION, {"trackId": track["id"], "input": region}, viewer=user)
            for _ in range(10)
        ]
        calls.insert(
            5,
            mutate(
                UPDATE_TRACK,
                {"id": track["id"], "input": {"durationSeconds": 50.0}},
                viewer=user,
            ),
        )
        results = await asyncio.gather(*calls)
        assert all(r.errors == [] for r in results)
        kinds = [next(iter(r.data.values()))["__typename"] for r in results]
        duration, latest, regions = await scalar(
            engine,
            "SELECT json_build_array(t.duration_seconds, max(r.end_time_ms), count(r.id)) "
            "FROM reference_tracks t LEFT JOIN track_regions r ON r.track_id = t.id "
            "WHERE t.id = :t GROUP BY t.id",
            t=uuid.UUID(track["id"]),
        )
        assert latest is None or latest <= duration * 1000
        shrunk = kinds[5] == "UpdateReferenceTrackSuccess"
        assert regions == kinds.count("CreateTrackRegionSuccess")
        assert (duration == 50.0) == shrunk
        assert shrunk == (regions == 0)  # a region came first: the shrink is refused
