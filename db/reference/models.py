"""Reference tracks and their analyses: uploaded audio (the file itself lives in object storage,
``r2_key``), analysis runs, the packed per-frame analysis data with its manifest, detected
events, and the user's annotations and regions on a track.

Columns: spec/004 migrations 0008 and 0009 (``analysis_frame_chunks`` of 0008 is not carried
over: superseded by the manifest/data tables, DESIGN.md section 2). spec/003 documents only an
earlier SQLite shape of ``reference_tracks``, so defaults and value sets not found there
(track status, analysis types, annotation categories, manifest defaults) are those of the
original PostgreSQL migrations that spec/004 inventories; the region section types are the set
chosen for this schema.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, big_int, fk, non_negative, user_fk


class ReferenceTrackStatus(enum.StrEnum):
    """Where an uploaded track is in its lifecycle."""

    UPLOADING = "uploading"
    PROCESSING = "processing"
    READY = "ready"
    ERROR = "error"


class TrackAnalysisType(enum.StrEnum):
    """What an analysis run computes."""

    FULL = "full"
    QUICK = "quick"
    SPECTRAL = "spectral"
    LOUDNESS = "loudness"


class TrackAnalysisStatus(enum.StrEnum):
    """The state of one analysis run."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class TrackAnnotationCategory(enum.StrEnum):
    """What an annotation is about."""

    GENERAL = "general"
    TECHNIQUE = "technique"
    MIX = "mix"
    MASTERING = "mastering"
    ARRANGEMENT = "arrangement"
    PRODUCTION = "production"


class TrackSectionType(enum.StrEnum):
    """The song-structure role of a region; ``other`` for anything else."""

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
    __tablename__ = "reference_tracks"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str]
    description: Mapped[str | None]
    r2_key: Mapped[str]
    file_size_bytes: Mapped[int] = big_int()
    mime_type: Mapped[str] = mapped_column(server_default="audio/mpeg")
    duration_seconds: Mapped[float | None]
    artist: Mapped[str | None]
    album: Mapped[str | None]
    genre: Mapped[str | None]
    bpm: Mapped[float | None]
    key_signature: Mapped[str | None]
    tags: Mapped[JSON] = mapped_column(server_default="[]")
    status: Mapped[ReferenceTrackStatus] = mapped_column(server_default="ready")
    error_message: Mapped[str | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("file_size_bytes", "duration_seconds"),
        CheckConstraint("bpm > 0", name="bpm_positive"),
    )


class TrackAnalysis(Base):
    """One analysis run of a track; ``summary`` for quick access, ``manifest`` the full result
    (spec/004 migration 0008)."""

    __tablename__ = "track_analyses"

    id: Mapped[UUIDPK]
    track_id: Mapped[uuid.UUID] = fk("reference_tracks.id", index=False)
    analysis_type: Mapped[TrackAnalysisType] = mapped_column(server_default="full")
    version: Mapped[str] = mapped_column(server_default="1.0")
    status: Mapped[TrackAnalysisStatus] = mapped_column(server_default="pending")
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    error_message: Mapped[str | None]
    summary: Mapped[JSON] = mapped_column(server_default="{}")
    manifest: Mapped[JSON] = mapped_column(server_default="{}")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (UniqueConstraint("track_id", "analysis_type", "version"),)


class TrackAnnotation(Base):
    """A note at a point (``end_time_ms`` NULL) or over a range of a track."""

    __tablename__ = "track_annotations"

    id: Mapped[UUIDPK]
    track_id: Mapped[uuid.UUID] = fk("reference_tracks.id")
    user_id: Mapped[uuid.UUID] = user_fk()
    start_time_ms: Mapped[int]
    end_time_ms: Mapped[int | None]
    title: Mapped[str]
    content: Mapped[str | None]
    category: Mapped[TrackAnnotationCategory] = mapped_column(server_default="general")
    color: Mapped[str | None] = mapped_column(server_default="#3b82f6")
    is_private: Mapped[bool] = mapped_column(server_default="true")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("start_time_ms"),
        CheckConstraint(
            "end_time_ms IS NULL OR end_time_ms >= start_time_ms", name="end_not_before_start"
        ),
    )


class TrackRegion(Base):
    """A named section of a track (intro, verse, drop, ...) for structural analysis."""

    __tablename__ = "track_regions"

    id: Mapped[UUIDPK]
    track_id: Mapped[uuid.UUID] = fk("reference_tracks.id")
    user_id: Mapped[uuid.UUID] = user_fk()
    start_time_ms: Mapped[int]
    end_time_ms: Mapped[int]
    name: Mapped[str]
    description: Mapped[str | None]
    section_type: Mapped[TrackSectionType] = mapped_column(server_default="other")
    color: Mapped[str | None] = mapped_column(server_default="#10b981")
    display_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("start_time_ms"),
        CheckConstraint("end_time_ms > start_time_ms", name="end_after_start"),
    )


class AnalysisFrameManifest(Base):
    """The timeline and byte layout of an analysis's packed frames (spec/004 migration 0009)."""

    __tablename__ = "analysis_frame_manifests"

    id: Mapped[UUIDPK]
    analysis_id: Mapped[uuid.UUID] = fk("track_analyses.id", unique=True, reverse="frameManifest")
    manifest_version: Mapped[str] = mapped_column(server_default="1.0")
    hop_ms: Mapped[int]
    frame_count: Mapped[int]
    duration_ms: Mapped[int]
    sample_rate: Mapped[int] = mapped_column(server_default="44100")
    bands: Mapped[JSON] = mapped_column(server_default="[]")
    bytes_per_frame: Mapped[int]
    frame_layout: Mapped[JSON] = mapped_column(server_default="[]")
    events: Mapped[JSON] = mapped_column(server_default="[]")
    fingerprint: Mapped[str | None]
    analyzer_version: Mapped[str] = mapped_column(server_default="1.0.0")
    chunk_size_frames: Mapped[int] = mapped_column(server_default="1000")
    total_chunks: Mapped[int]
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
    """One chunk of packed float32 frames (``end_frame`` exclusive) of a manifest
    (spec/004 migration 0009)."""

    __tablename__ = "analysis_frame_data"

    id: Mapped[UUIDPK]
    manifest_id: Mapped[uuid.UUID] = fk("analysis_frame_manifests.id", index=False)
    chunk_index: Mapped[int]
    start_frame: Mapped[int]
    end_frame: Mapped[int]
    start_time_ms: Mapped[int]
    end_time_ms: Mapped[int]
    frame_data: Mapped[bytes]
    frame_count: Mapped[int]
    compressed: Mapped[bool] = mapped_column(server_default="false")
    compression_type: Mapped[str | None]
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
    """A discrete detected event (transient, beat, section start, ...) of an analysis
    (spec/004 migration 0009); ``duration_ms`` NULL for point events."""

    __tablename__ = "analysis_events"

    id: Mapped[UUIDPK]
    analysis_id: Mapped[uuid.UUID] = fk("track_analyses.id")
    time_ms: Mapped[int]
    duration_ms: Mapped[int | None]
    event_type: Mapped[str]
    event_data: Mapped[JSON] = mapped_column(server_default="{}")
    confidence: Mapped[float | None]
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        *non_negative("time_ms", "duration_ms"),
        CheckConstraint("confidence BETWEEN 0 AND 1", name="confidence_in_unit_range"),
    )
