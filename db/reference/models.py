"""Reference tracks and their analyses: uploaded audio (the file itself lives in object storage,
``r2_key``), analysis runs, the packed per-frame analysis data with its manifest, detected
events, and the user's annotations and regions on a track.

Columns: Ignition specification, "Migration 0008: Reference Tracks Substrate" and
"Migration 0009: Analysis Frames (Binary Storage)" (``analysis_frame_chunks`` of 0008 is not carried
over: superseded by the manifest/data tables, docs/design.md#the-schema). The Ignition specification
documents only an earlier SQLite shape of ``reference_tracks``, so defaults and value sets not found
there (track status, analysis types, annotation categories, manifest defaults) are those of the
original PostgreSQL migrations that the Ignition specification inventories; the region section types
are the set chosen for this schema.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, big_int, fk, non_negative, user_fk


class ReferenceTrackStatus(enum.StrEnum):
    """Where an uploaded track is in its lifecycle.

    - ``uploading``: the file is being uploaded.
    - ``processing``: uploaded, being analysed.
    - ``ready``: ready to play and study.
    - ``error``: the upload or processing failed (see ``error_message``).
    """

    UPLOADING = "uploading"
    PROCESSING = "processing"
    READY = "ready"
    ERROR = "error"


class TrackAnalysisType(enum.StrEnum):
    """What an analysis run computes.

    - ``full``: everything: levels, spectrum, events and summary.
    - ``quick``: a fast summary (tempo, key, loudness).
    - ``spectral``: the spectrum over time.
    - ``loudness``: loudness over time (LUFS, peaks).
    """

    FULL = "full"
    QUICK = "quick"
    SPECTRAL = "spectral"
    LOUDNESS = "loudness"


class TrackAnalysisStatus(enum.StrEnum):
    """The state of one analysis run.

    - ``pending``: queued.
    - ``running``: in progress.
    - ``completed``: finished; the results are in.
    - ``failed``: stopped with an error (see ``error_message``).
    """

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class TrackAnnotationCategory(enum.StrEnum):
    """What an annotation is about.

    - ``general``: anything.
    - ``technique``: a production technique to learn from.
    - ``mix``: something about the mix.
    - ``mastering``: something about the master.
    - ``arrangement``: something about the arrangement.
    - ``production``: something about sound design and production.
    """

    GENERAL = "general"
    TECHNIQUE = "technique"
    MIX = "mix"
    MASTERING = "mastering"
    ARRANGEMENT = "arrangement"
    PRODUCTION = "production"


class TrackSectionType(enum.StrEnum):
    """The song-structure role of a region.

    - ``intro``: the opening.
    - ``verse``: a verse.
    - ``pre_chorus``: the build into a chorus.
    - ``chorus``: a chorus.
    - ``bridge``: a bridge.
    - ``drop``: the drop.
    - ``breakdown``: a breakdown.
    - ``buildup``: a build-up.
    - ``outro``: the ending.
    - ``other``: anything else.
    """

    INTRO = "intro"
    VERSE = "verse"
    PRE_CHORUS = "pre_chorus"
    CHORUS = "chorus"
    BRIDGE = "bridge"
    DROP = "drop"
    BREAKDOWN = "breakdown"
    BUILDUP = "buildup"
    OUTRO = "outro"
    OTHER = "other"


class ReferenceTrack(Base):
    """An audio track a user uploaded to study (a reference mix); the file lives in object
    storage."""

    __tablename__ = "reference_tracks"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str] = mapped_column(doc="The track's name.")
    description: Mapped[str | None] = mapped_column(
        doc="What the user wants to learn from the track."
    )
    r2_key: Mapped[str] = mapped_column(doc="The object-storage key of the audio file.")
    file_size_bytes: Mapped[int] = big_int(doc="The size of the audio file, in bytes.")
    mime_type: Mapped[str] = mapped_column(
        server_default="audio/mpeg", doc="The audio file's media type (e.g. `audio/mpeg`)."
    )
    duration_seconds: Mapped[float | None] = mapped_column(doc="The track's length, in seconds.")
    artist: Mapped[str | None] = mapped_column(doc="The artist of the track.")
    album: Mapped[str | None] = mapped_column(doc="The album of the track.")
    genre: Mapped[str | None] = mapped_column(doc="The genre of the track.")
    bpm: Mapped[float | None] = mapped_column(doc="The tempo, in beats per minute.")
    key_signature: Mapped[str | None] = mapped_column(doc="The musical key (e.g. `A minor`).")
    tags: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Free tags: a JSON list of strings."
    )
    status: Mapped[ReferenceTrackStatus] = mapped_column(
        server_default="ready", doc="Where the upload is in its lifecycle."
    )
    error_message: Mapped[str | None] = mapped_column(
        doc="What went wrong, when `status` is `ERROR`."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("file_size_bytes", "duration_seconds"),
        CheckConstraint("bpm > 0", name="bpm_positive"),
    )


class TrackAnalysis(Base):
    """One analysis run of a reference track: its summary, and the manifest of the full result."""

    __tablename__ = "track_analyses"

    id: Mapped[UUIDPK]
    track_id: Mapped[uuid.UUID] = fk("reference_tracks.id", index=False, doc="The track analysed.")
    analysis_type: Mapped[TrackAnalysisType] = mapped_column(
        server_default="full", doc="What the run computes."
    )
    version: Mapped[str] = mapped_column(
        server_default="1.0", doc="The version of the analysis format."
    )
    status: Mapped[TrackAnalysisStatus] = mapped_column(
        server_default="pending", doc="The state of the run."
    )
    started_at: Mapped[datetime | None] = mapped_column(doc="When the run started.")
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the run finished; null until then."
    )
    error_message: Mapped[str | None] = mapped_column(
        doc="What went wrong, when `status` is `FAILED`."
    )
    summary: Mapped[JSON] = mapped_column(
        server_default="{}",
        doc="The headline results, as JSON (e.g. integrated loudness in LUFS, tempo, key).",
    )
    manifest: Mapped[JSON] = mapped_column(
        server_default="{}", doc="The layout of the full result, as JSON."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (UniqueConstraint("track_id", "analysis_type", "version"),)


class TrackAnnotation(Base):
    """A user's note on a reference track, at one moment or over a stretch of it."""

    __tablename__ = "track_annotations"

    id: Mapped[UUIDPK]
    track_id: Mapped[uuid.UUID] = fk("reference_tracks.id", doc="The track annotated.")
    user_id: Mapped[uuid.UUID] = user_fk(
        doc="The user who wrote the note (deleting the user deletes it)."
    )
    start_time_ms: Mapped[int] = mapped_column(
        doc="Where the note starts, in milliseconds from the track's start."
    )
    end_time_ms: Mapped[int | None] = mapped_column(
        doc="Where the note ends, in milliseconds; null for a note at one moment."
    )
    title: Mapped[str] = mapped_column(doc="The note's title.")
    content: Mapped[str | None] = mapped_column(doc="The note's text.")
    category: Mapped[TrackAnnotationCategory] = mapped_column(
        server_default="general", doc="What the note is about."
    )
    color: Mapped[str | None] = mapped_column(
        server_default="#3b82f6", doc="Colour the note is drawn in (a CSS colour)."
    )
    is_private: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether only its author sees the note."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("start_time_ms"),
        CheckConstraint(
            "end_time_ms IS NULL OR end_time_ms >= start_time_ms", name="end_not_before_start"
        ),
    )


class TrackRegion(Base):
    """A named section of a reference track (intro, verse, drop, ...) for structural analysis."""

    __tablename__ = "track_regions"

    id: Mapped[UUIDPK]
    track_id: Mapped[uuid.UUID] = fk("reference_tracks.id", doc="The track.")
    user_id: Mapped[uuid.UUID] = user_fk(
        doc="The user who marked the region (deleting the user deletes it)."
    )
    start_time_ms: Mapped[int] = mapped_column(
        doc="Where the region starts, in milliseconds from the track's start."
    )
    end_time_ms: Mapped[int] = mapped_column(
        doc="Where the region ends, in milliseconds (after the start)."
    )
    name: Mapped[str] = mapped_column(doc="The region's name.")
    description: Mapped[str | None] = mapped_column(doc="What happens in the region.")
    section_type: Mapped[TrackSectionType] = mapped_column(
        server_default="other", doc="The song-structure role of the region."
    )
    color: Mapped[str | None] = mapped_column(
        server_default="#10b981", doc="Colour the region is drawn in (a CSS colour)."
    )
    display_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position among the track's regions (ascending)."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("start_time_ms"),
        CheckConstraint("end_time_ms > start_time_ms", name="end_after_start"),
    )


class AnalysisFrameManifest(Base):
    """The timeline and byte layout of an analysis's packed per-frame data (levels and spectrum
    bands at a fixed hop)."""

    __tablename__ = "analysis_frame_manifests"

    id: Mapped[UUIDPK]
    analysis_id: Mapped[uuid.UUID] = fk(
        "track_analyses.id",
        unique=True,
        reverse="frameManifest",
        doc="The analysis run the frames belong to.",
    )
    manifest_version: Mapped[str] = mapped_column(
        server_default="1.0", doc="The version of the manifest format."
    )
    hop_ms: Mapped[int] = mapped_column(doc="The time between two frames, in milliseconds.")
    frame_count: Mapped[int] = mapped_column(doc="The number of frames, over the whole track.")
    duration_ms: Mapped[int] = mapped_column(doc="The analysed length, in milliseconds.")
    sample_rate: Mapped[int] = mapped_column(
        server_default="44100", doc="The audio's sample rate, in hertz."
    )
    bands: Mapped[JSON] = mapped_column(
        server_default="[]",
        doc="The frequency bands of the spectrum values: a JSON list (e.g. band edges in hertz).",
    )
    bytes_per_frame: Mapped[int] = mapped_column(doc="The size of one packed frame, in bytes.")
    frame_layout: Mapped[JSON] = mapped_column(
        server_default="[]",
        doc="The fields of a frame in packing order: a JSON list (name and float32 count of each).",
    )
    events: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Detected events summarised for the timeline: a JSON list."
    )
    fingerprint: Mapped[str | None] = mapped_column(
        doc="A fingerprint of the analysed audio, to spot the same file again."
    )
    analyzer_version: Mapped[str] = mapped_column(
        server_default="1.0.0", doc="The version of the analyser that produced the frames."
    )
    chunk_size_frames: Mapped[int] = mapped_column(
        server_default="1000", doc="Frames per stored chunk."
    )
    total_chunks: Mapped[int] = mapped_column(doc="The number of stored chunks.")
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        CheckConstraint("hop_ms > 0", name="hop_ms_positive"),
        *non_negative("frame_count", "duration_ms"),
        CheckConstraint("sample_rate > 0", name="sample_rate_positive"),
        CheckConstraint("bytes_per_frame > 0", name="bytes_per_frame_positive"),
        CheckConstraint("chunk_size_frames > 0", name="chunk_size_frames_positive"),
        *non_negative("total_chunks"),
    )


class AnalysisFrameData(Base):
    """One stored chunk of packed frames of an analysis (little-endian float32 values, laid out
    as the manifest says)."""

    __tablename__ = "analysis_frame_data"

    id: Mapped[UUIDPK]
    manifest_id: Mapped[uuid.UUID] = fk(
        "analysis_frame_manifests.id", index=False, doc="The manifest that describes the chunk."
    )
    chunk_index: Mapped[int] = mapped_column(doc="The chunk's position in the timeline (from 0).")
    start_frame: Mapped[int] = mapped_column(doc="The first frame in the chunk.")
    end_frame: Mapped[int] = mapped_column(
        doc="The frame after the last one in the chunk (exclusive)."
    )
    start_time_ms: Mapped[int] = mapped_column(doc="The time of the first frame, in milliseconds.")
    end_time_ms: Mapped[int] = mapped_column(doc="The time after the last frame, in milliseconds.")
    frame_data: Mapped[bytes] = mapped_column(doc="The packed frames.")
    frame_count: Mapped[int] = mapped_column(doc="The number of frames in the chunk.")
    compressed: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether `frameData` is compressed."
    )
    compression_type: Mapped[str | None] = mapped_column(
        doc="The compression used (e.g. `gzip`), when compressed."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("manifest_id", "chunk_index"),
        *non_negative("chunk_index", "start_frame"),
        CheckConstraint("end_frame >= start_frame", name="end_frame_not_before_start"),
        *non_negative("start_time_ms"),
        CheckConstraint("end_time_ms >= start_time_ms", name="end_not_before_start"),
        *non_negative("frame_count"),
    )


class AnalysisEvent(Base):
    """A discrete event an analysis detected (a transient, a beat, a section start, ...)."""

    __tablename__ = "analysis_events"

    id: Mapped[UUIDPK]
    analysis_id: Mapped[uuid.UUID] = fk(
        "track_analyses.id", doc="The analysis run that detected it."
    )
    time_ms: Mapped[int] = mapped_column(
        doc="When it happens, in milliseconds from the track's start."
    )
    duration_ms: Mapped[int | None] = mapped_column(
        doc="How long it lasts, in milliseconds; null for an event at one moment."
    )
    event_type: Mapped[str] = mapped_column(
        doc="What was detected (e.g. `transient`, `beat`, `section_start`)."
    )
    event_data: Mapped[JSON] = mapped_column(
        server_default="{}", doc="The event's details, as JSON."
    )
    confidence: Mapped[float | None] = mapped_column(doc="How sure the analyser is, from 0 to 1.")
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        *non_negative("time_ms", "duration_ms"),
        CheckConstraint("confidence BETWEEN 0 AND 1", name="confidence_in_unit_range"),
    )
