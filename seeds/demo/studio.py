"""The studio library: reference tracks with their analysis (summary, frame manifest,
packed float32 frames, detected events), annotations and regions, and the focus music
libraries.
"""

from __future__ import annotations

import hashlib
import math
import struct
import uuid
from datetime import datetime, timedelta
from typing import Any

from db.reference.rules import (
    ANNOTATION_FIELDS,
    ANNOTATION_REQUIRED,
    REGION_FIELDS,
    REGION_REQUIRED,
    duration_ms,
    mark_values,
    track_values,
)
from seeds.demo import content as c
from seeds.demo.state import (
    UserState,
    new_id,
)


class Studio(UserState):
    """Reference tracks, analyses and focus libraries of a demo user."""

    # ---------------------------------------------------------------- reference tracks

    def reference_tracks(self) -> None:
        rng = self.rng
        liked = [t for t in c.REFERENCE_TRACKS if t[3] in self.genres]
        rest = [t for t in c.REFERENCE_TRACKS if t[3] not in self.genres]
        count = 3 if self.showcase else rng.randint(2, 3)
        picks = rng.sample(liked, k=min(count, len(liked))) if liked else []
        picks += rng.sample(rest, k=count - len(picks))
        self.tracks = []
        for name, artist, album, genre, bpm, key, duration, tags in picks:
            track_id = new_id()
            uploaded = self.at(self.day(5, self.days), rng.uniform(10, 22))
            wav = rng.random() < 0.3
            fields = track_values(
                {
                    "name": name,
                    "description": f"Reference for {genre.replace('_', ' ')} mixdowns.",
                    "r2_key": f"users/{self.uid}/tracks/{track_id}.{'wav' if wav else 'mp3'}",
                    "file_size_bytes": int(duration * (176_400 if wav else 40_000)),
                    "mime_type": "audio/wav" if wav else "audio/mpeg",
                    "duration_seconds": duration,
                    "artist": artist,
                    "album": album,
                    "genre": genre,
                    "bpm": bpm,
                    "key_signature": key,
                    "tags": list(tags),
                    "status": "ready",
                    "error_message": None,
                }
            )
            self.add(
                "reference_tracks",
                {"id": track_id, "user_id": self.uid, **fields, "created_at": uploaded},
            )
            self.tracks.append((track_id, f"{artist} - {name}", duration))
            regions = self.regions(track_id, genre, bpm, duration, uploaded)
            self.analysis(track_id, bpm, key, duration, regions, uploaded)
            for title, text, category in rng.sample(c.ANNOTATIONS, k=rng.randint(2, 4)):
                start_ms = rng.randint(0, int(duration * 1000) - 20_000)
                span = rng.choice((None, 8, 16))
                bar_ms = 240_000 / bpm
                fields = mark_values(
                    {
                        "start_time_ms": start_ms,
                        "end_time_ms": None
                        if span is None
                        else min(int(duration * 1000), start_ms + int(span * bar_ms)),
                        "title": title,
                        "content": text,
                        "category": category,
                        "color": _CATEGORY_COLORS.get(category, "#3b82f6"),
                        "is_private": True,
                    },
                    ANNOTATION_FIELDS,
                    ANNOTATION_REQUIRED,
                    duration_ms(duration),
                    end_required=False,
                )
                self.add(
                    "track_annotations",
                    {
                        "track_id": track_id,
                        "user_id": self.uid,
                        **fields,
                        "created_at": uploaded + timedelta(minutes=rng.randint(5, 600)),
                    },
                )

    def regions(
        self, track_id: uuid.UUID, genre: str, bpm: float, duration: float, uploaded: datetime
    ) -> list[tuple[str, int, int]]:
        """Song-structure regions of a track: the genre's structure stretched to the track's
        length in whole 4-bar phrases, the last section running to the end. Returns
        ``(section_type, start_ms, end_ms)`` per region."""
        bar_ms = 240_000 / bpm
        total = int(duration * 1000)
        structure = c.STRUCTURES[c.GENRE_STRUCTURE.get(genre, "song")]
        scale = total / bar_ms / sum(bars for _, _, bars in structure)
        out: list[tuple[str, int, int]] = []
        start = 0
        for n, (section, name, bars) in enumerate(structure):
            last = n == len(structure) - 1
            phrases = max(1, round(bars * scale / 4))
            end = total if last else min(total, start + int(phrases * 4 * bar_ms))
            if end <= start:
                break
            fields = mark_values(
                {
                    "start_time_ms": start,
                    "end_time_ms": end,
                    "name": name,
                    "description": f"{phrases * 4} bars" if not last else None,
                    "section_type": section,
                    "color": c.SECTION_COLORS[section],
                    "display_order": n,
                },
                REGION_FIELDS,
                REGION_REQUIRED,
                duration_ms(duration),
                end_required=True,
            )
            self.add(
                "track_regions",
                {
                    "track_id": track_id,
                    "user_id": self.uid,
                    **fields,
                    "created_at": uploaded + timedelta(minutes=30),
                },
            )
            out.append((section, start, end))
            start = end
        return out

    def analysis(
        self,
        track_id: uuid.UUID,
        bpm: float,
        key: str,
        duration: float,
        regions: list[tuple[str, int, int]],
        uploaded: datetime,
    ) -> None:
        """One completed full analysis: summary, frame manifest, packed float32 frames in
        chunks, and detected events."""
        rng = self.rng
        analysis_id, manifest_id = new_id(), new_id()
        hop_ms, chunk_frames = 1000, 128
        duration_ms = int(duration * 1000)
        frames = math.ceil(duration_ms / hop_ms)
        layout = [
            "rms_db",
            "lufs_short",
            "spectral_centroid_hz",
            "band_sub",
            "band_low",
            "band_mid",
            "band_high",
        ]
        energy = {
            "drop": 1.0,
            "chorus": 0.9,
            "buildup": 0.7,
            "verse": 0.6,
            "pre_chorus": 0.7,
            "bridge": 0.5,
            "breakdown": 0.3,
            "intro": 0.35,
            "outro": 0.3,
            "other": 0.5,
        }
        loudness = rng.uniform(-11, -6.5)
        # Per frame: the energy of the section it falls in, plus a slow wobble.
        section_energy = [0.6] * frames
        for section, start_ms, end_ms in regions:
            first, last = start_ms // hop_ms, min(frames, -(-end_ms // hop_ms))
            section_energy[first:last] = [energy[section]] * (last - first)
        values: list[float] = []
        rms_by_frame: list[float] = []
        base = -24 + loudness / 4
        for f, e in enumerate(section_energy):
            wobble = 0.05 * math.sin(f * 0.7 + bpm)
            rms = base + 16 * e + wobble * 10
            rms_by_frame.append(rms)
            values += (
                rms,
                rms + 4.5,
                1400 + 2600 * e + 300 * wobble,
                0.5 + 0.45 * e,
                0.45 + 0.4 * e,
                0.35 + 0.5 * e + wobble,
                0.2 + 0.55 * e,
            )
        bytes_per_frame = 4 * len(layout)
        chunks = math.ceil(frames / chunk_frames)
        done = uploaded + timedelta(minutes=2)
        peak = rms_by_frame.index(max(rms_by_frame)) if frames else 0
        self.add(
            "track_analyses",
            {
                "id": analysis_id,
                "track_id": track_id,
                "analysis_type": "full",
                "version": "1.0",
                "status": "completed",
                "started_at": uploaded + timedelta(seconds=20),
                "completed_at": done,
                "error_message": None,
                "summary": {
                    "integratedLufs": round(loudness, 1),
                    "truePeakDbtp": round(rng.uniform(-1.5, -0.2), 1),
                    "loudnessRange": round(rng.uniform(3, 9), 1),
                    "bpm": bpm,
                    "key": key,
                    "sections": len(regions),
                },
                "manifest": {"frames": frames, "hopMs": hop_ms, "chunks": chunks},
                "created_at": uploaded + timedelta(seconds=5),
            },
        )
        self.add(
            "analysis_frame_manifests",
            {
                "id": manifest_id,
                "analysis_id": analysis_id,
                "manifest_version": "1.0",
                "hop_ms": hop_ms,
                "frame_count": frames,
                "duration_ms": duration_ms,
                "sample_rate": 44100,
                "bands": [
                    {"name": "sub", "lowHz": 20, "highHz": 60},
                    {"name": "low", "lowHz": 60, "highHz": 250},
                    {"name": "mid", "lowHz": 250, "highHz": 4000},
                    {"name": "high", "lowHz": 4000, "highHz": 20000},
                ],
                "bytes_per_frame": bytes_per_frame,
                "frame_layout": [
                    {"name": name, "type": "float32le", "offset": 4 * n}
                    for n, name in enumerate(layout)
                ],
                "events": [{"type": "section_start", "count": len(regions)}],
                "fingerprint": hashlib.sha1(track_id.bytes).hexdigest(),
                "analyzer_version": "1.4.2",
                "chunk_size_frames": chunk_frames,
                "total_chunks": chunks,
                "created_at": done,
            },
        )
        width = len(layout)
        for n in range(chunks):
            first, last = n * chunk_frames, min(frames, (n + 1) * chunk_frames)
            part = values[first * width : last * width]
            self.add(
                "analysis_frame_data",
                {
                    "manifest_id": manifest_id,
                    "chunk_index": n,
                    "start_frame": first,
                    "end_frame": last,
                    "start_time_ms": first * hop_ms,
                    "end_time_ms": min(duration_ms, last * hop_ms),
                    "frame_data": struct.pack(f"<{len(part)}f", *part),
                    "frame_count": last - first,
                    "compressed": False,
                    "compression_type": None,
                    "created_at": done,
                },
            )
        events: list[tuple[str, int, int | None, dict[str, Any], float]] = [
            ("section_start", start, end - start, {"section": section}, 0.9)
            for section, start, end in regions
        ]
        events.append(
            ("loudness_peak", peak * hop_ms, None, {"rmsDb": round(values[peak * width], 1)}, 0.99)
        )
        events += [
            (
                "transient",
                rng.randint(0, duration_ms - 1),
                None,
                {"strength": round(rng.uniform(0.5, 1), 2)},
                rng.uniform(0.6, 0.95),
            )
            for _ in range(3)
        ]
        self.add(
            "analysis_events",
            *(
                {
                    "analysis_id": analysis_id,
                    "time_ms": t,
                    "duration_ms": d,
                    "event_type": kind,
                    "event_data": data,
                    "confidence": round(conf, 2),
                    "created_at": done,
                }
                for kind, t, d, data, conf in events
            ),
        )

    # ---------------------------------------------------------------- focus libraries

    def focus_libraries(self) -> None:
        rng = self.rng
        ambient_id, reference_id = new_id(), new_id()
        ambient = rng.sample(c.AMBIENT_TRACKS, k=rng.randint(3, 4))
        created = self.signup + timedelta(days=3)
        self.add(
            "focus_libraries",
            {
                "id": ambient_id,
                "user_id": self.uid,
                "name": "Deep work ambience",
                "description": "Noise and textures for writing sessions.",
                "library_type": "ambient",
                "tracks_count": len(ambient),
                "is_favorite": True,
                "created_at": created,
            },
            {
                "id": reference_id,
                "user_id": self.uid,
                "name": "Reference rotation",
                "description": "My reference tracks, for mixing days.",
                "library_type": "reference",
                "tracks_count": len(self.tracks),
                "is_favorite": False,
                "created_at": created,
            },
        )
        self.add(
            "focus_library_tracks",
            *(
                {
                    "library_id": ambient_id,
                    "track_id": None,
                    "track_title": title,
                    "track_url": url,
                    "duration_seconds": seconds,
                    "added_at": created,
                }
                for title, url, seconds in ambient
            ),
            *(
                {
                    "library_id": reference_id,
                    "track_id": track_id,
                    "track_title": title,
                    "track_url": None,
                    "duration_seconds": int(duration),
                    "added_at": created + timedelta(days=5),
                }
                for track_id, title, duration in self.tracks
            ),
        )


_CATEGORY_COLORS = {
    "mix": "#3b82f6",
    "mastering": "#a855f7",
    "arrangement": "#f59e0b",
    "production": "#10b981",
    "technique": "#ec4899",
    "general": "#64748b",
}
