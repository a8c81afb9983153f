"""Listening-prompt catalog: guided critical-listening exercises for reference tracks and mixes.

Sources: spec/000 Part 7 ("listening_prompt_templates: core listening prompts"); columns:
spec/004 migration 0010.

Shapes:

- ``TEMPLATES`` (natural key ``name``): ``{name, description, category, difficulty,
  prompt_text, hints (list of str), expected_observations (list of str), tags (list of str)}``;
  ``display_order`` follows the tuple order, all active, ``created_by`` NULL (built-in).
- ``PRESETS`` (natural key ``name``): ``{name, description, template (a template name),
  preset_type, config}``. ``category``, ``difficulty`` and ``preset_type`` are the
  ``ListeningPromptCategory`` / ``ListeningDifficulty`` / ``ListeningPresetType`` values of
  ``db/listening/models.py``. ``config`` by ``preset_type``:

  - ``focus``: ``{band_hz: [low, high], start_at, loop_seconds}`` (play only that band)
  - ``comparison``: ``{compare_with: "reference_track" | "mono", level_match,
    switch_every_seconds}``
  - ``loop``: ``{loop_seconds, start_at: "intro" | "drop" | "chorus" | seconds, band_hz?}``
  - ``visualization``: ``{view: "loudness_curve" | "spectrum" | "stereo_field",
    mark_sections, window_seconds}``
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.listening.models import (
    ListeningDifficulty,
    ListeningPresetType,
    ListeningPromptCategory,
)
from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "name": "Low-end balance: kick vs bass",
        "description": "Do the kick and the bass share the bottom octave or fight over it?",
        "category": "frequency",
        "difficulty": "beginner",
        "prompt_text": (
            "Loop the loudest 8 bars. Listen only to the kick and the bass. Which one owns the "
            "lowest octave (roughly 30-60 Hz)? Does the kick still punch when the bass plays a "
            "long note? Is the low end steady from note to note, or do some bass notes jump out?"
        ),
        "hints": [
            "Listen at a low volume: low-end balance is easier to judge quietly.",
            "Check on headphones and on small speakers; sub notes vanish on laptops.",
            "Watch for the bass notes a fourth or fifth above the key: they often boom.",
        ],
        "expected_observations": [
            "One element owns the sub; the other sits above it.",
            "Kick transient stays audible over sustained bass notes (sidechain or EQ carving).",
            "Bass notes have even loudness across the riff.",
        ],
        "tags": ["low_end", "kick", "bass", "sidechain"],
    },
    {
        "name": "Stereo width check",
        "description": "Map what sits in the centre and what lives on the sides.",
        "category": "spatial",
        "difficulty": "beginner",
        "prompt_text": (
            "Close your eyes and place every element on a line from hard left to hard right. "
            "What is dead centre? What is wide? Does the chorus get wider than the verse? Is "
            "anything low (bass, kick) spread wide?"
        ),
        "hints": [
            "Kick, bass, lead vocal and snare are usually centred.",
            "Width comes from contrast: a wide chorus needs a narrower verse.",
        ],
        "expected_observations": [
            "Low end is mono or nearly mono.",
            "Pads, backing vocals or doubled guitars carry the width.",
            "The stereo image changes between sections.",
        ],
        "tags": ["stereo", "panning", "width", "imaging"],
    },
    {
        "name": "Mono compatibility test",
        "description": "What disappears when the mix is summed to mono?",
        "category": "spatial",
        "difficulty": "intermediate",
        "prompt_text": (
            "Switch between stereo and mono every few seconds. Which elements get quieter, "
            "thinner or disappear in mono? Does the lead stay in front? Does the low end change?"
        ),
        "hints": [
            "Phone speakers, clubs and many Bluetooth speakers play in mono.",
            "Stereo wideners and chorus effects are the usual culprits.",
        ],
        "expected_observations": [
            "Lead vocal and drums keep their level in mono.",
            "Wide synths lose some level but do not vanish.",
            "No hollow, phasey sound when summed.",
        ],
        "tags": ["mono", "phase", "stereo", "translation"],
    },
    {
        "name": "Vocal sibilance scan",
        "description": "Find the harsh S, T and SH sounds before a listener does.",
        "category": "mixing",
        "difficulty": "intermediate",
        "prompt_text": (
            "Listen to the lead vocal through one verse and one chorus. Note the time of every "
            "S, T or SH that makes you flinch. Is the harshness on every sibilant or only on "
            "certain words? Does it get worse in the chorus, where the vocal is pushed harder?"
        ),
        "hints": [
            "Sibilance usually sits between 5 and 9 kHz.",
            "Listen at a moderate level; loud playback exaggerates it.",
            "Reverbs and delays can splash sibilance around: check the returns too.",
        ],
        "expected_observations": [
            "Sibilants are audible but not piercing.",
            "Consistent de-essing from verse to chorus.",
            "No lisping or dull 'th' sound from over-de-essing.",
        ],
        "tags": ["vocals", "sibilance", "de-esser", "harshness"],
    },
    {
        "name": "Punch and transients",
        "description": "Do the drums hit, or do they just sit there?",
        "category": "dynamics",
        "difficulty": "intermediate",
        "prompt_text": (
            "Focus on the first few milliseconds of each kick and snare hit. Is there a clear "
            "attack followed by body, or is the hit flattened? Compare the drop with the "
            "breakdown: does the loudest part still feel punchy?"
        ),
        "hints": [
            "Heavy bus compression and limiting blunt transients first.",
            "Compare with a reference at matched loudness, not louder.",
        ],
        "expected_observations": [
            "Snare and kick attacks stay distinct at full loudness.",
            "No pumping that was not intended.",
            "Body and tail of the hits are controlled.",
        ],
        "tags": ["dynamics", "transients", "compression", "drums"],
    },
    {
        "name": "Depth and space",
        "description": "Front, middle, back: where does each sound sit in the room?",
        "category": "spatial",
        "difficulty": "advanced",
        "prompt_text": (
            "Imagine the mix as a stage. Which sounds are right in front of you, which are "
            "in the middle, which are far back? How long are the reverb tails, and do they "
            "clear before the next phrase? Is the space the same for every element?"
        ),
        "hints": [
            "Closeness comes from level, brightness and little reverb; distance from the opposite.",
            "Pre-delay keeps a vocal in front while still giving it a room.",
        ],
        "expected_observations": [
            "A clear front-to-back order (lead in front, pads behind).",
            "Reverb tails that breathe with the tempo.",
            "A coherent sense of a shared space.",
        ],
        "tags": ["reverb", "delay", "depth", "space"],
    },
    {
        "name": "Arrangement energy map",
        "description": "Draw the energy curve of a whole track section by section.",
        "category": "arrangement",
        "difficulty": "beginner",
        "prompt_text": (
            "Listen to the whole track once and rate its energy from 0 to 10 every 8 bars. "
            "Where does each section start? What enters or leaves at each change? Where is the "
            "peak, and what happens just before it?"
        ),
        "hints": [
            "Count bars with the kick or the snare; sections usually change every 8 or 16.",
            "Tension before a drop often comes from removing the low end.",
        ],
        "expected_observations": [
            "Section lengths in multiples of 8 bars.",
            "Contrast: a dip before each peak.",
            "A variation in the second drop or final chorus.",
        ],
        "tags": ["arrangement", "structure", "energy", "reference"],
    },
    {
        "name": "Loudness and limiter artifacts",
        "description": "Hear what the master limiter is doing to the track.",
        "category": "mastering",
        "difficulty": "advanced",
        "prompt_text": (
            "Play the loudest section. Listen for distortion on the kick and bass, pumping of "
            "pads and vocals when the kick hits, and a flat, tiring feeling. Then turn the "
            "playback down and ask: is the track still exciting when it is quiet?"
        ),
        "hints": [
            "Streaming services turn loud tracks down (around -14 LUFS integrated on several "
            "platforms), so over-limiting rarely pays off.",
            "Clicks or crackle on the kick point to a limiter working too hard.",
        ],
        "expected_observations": [
            "Clean low end at full level.",
            "Transients intact on the snare.",
            "No audible pumping unless it is a deliberate effect.",
        ],
        "tags": ["loudness", "lufs", "limiter", "mastering"],
    },
)

PRESETS: tuple[dict[str, Any], ...] = (
    {
        "name": "Quick low-end loop",
        "description": "Thirty seconds of the drop with only the bottom octaves playing.",
        "template": "Low-end balance: kick vs bass",
        "preset_type": "focus",
        "config": {"band_hz": [20, 150], "start_at": "drop", "loop_seconds": 30},
    },
    {
        "name": "Drop A/B against your reference",
        "description": (
            "Switch between your drop and the reference's every 8 seconds, level-matched."
        ),
        "template": "Stereo width check",
        "preset_type": "comparison",
        "config": {
            "compare_with": "reference_track",
            "level_match": True,
            "switch_every_seconds": 8,
        },
    },
    {
        "name": "Mono flip",
        "description": "Toggle stereo and mono every 4 seconds through the chorus.",
        "template": "Mono compatibility test",
        "preset_type": "comparison",
        "config": {"compare_with": "mono", "level_match": False, "switch_every_seconds": 4},
    },
    {
        "name": "Sibilance band loop",
        "description": "Loop 20 seconds of the chorus vocal with only 5-9 kHz audible.",
        "template": "Vocal sibilance scan",
        "preset_type": "loop",
        "config": {"loop_seconds": 20, "start_at": "chorus", "band_hz": [5000, 9000]},
    },
    {
        "name": "Full-track energy pass",
        "description": "Whole track with the loudness curve and section markers on screen.",
        "template": "Arrangement energy map",
        "preset_type": "visualization",
        "config": {"view": "loudness_curve", "mark_sections": True, "window_seconds": 3},
    },
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def template_rows() -> list[dict[str, Any]]:
    """The ``listening_prompt_templates`` rows (active, built in, ordered as listed)."""
    return [
        {
            **t,
            "category": ListeningPromptCategory(t["category"]).value,
            "difficulty": ListeningDifficulty(t["difficulty"]).value,
            "display_order": (i + 1) * 10,
            "is_active": True,
            "created_by": None,
        }
        for i, t in enumerate(TEMPLATES)
    ]


def preset_rows(template_ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``listening_prompt_presets`` rows, templates resolved by name."""
    return [
        {
            "name": p["name"],
            "description": p["description"],
            "template_id": template_ids[p["template"]],
            "preset_type": ListeningPresetType(p["preset_type"]).value,
            "config": p["config"],
            "is_active": True,
            "created_by": None,
        }
        for p in PRESETS
    ]


async def seed(conn: AsyncConnection) -> int:
    """Upsert the templates, then the presets that point at them; returns rows changed."""
    changed = await upsert(conn, "listening_prompt_templates", template_rows(), key=["name"])
    template_ids = await ids_by(conn, "listening_prompt_templates", "name")
    changed += await upsert(
        conn, "listening_prompt_presets", preset_rows(template_ids), key=["name"]
    )
    return changed


COUNTS: dict[str, int] = {
    "listening_prompt_templates": len(TEMPLATES),
    "listening_prompt_presets": len(PRESETS),
}
