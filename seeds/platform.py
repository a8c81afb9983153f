"""Platform catalog: the main onboarding flow and its steps, public infobase entries and
feature flags.

Sources: spec/000 Part 7 ("onboarding_flows: main onboarding flow"; "onboarding_steps: steps
for main flow"); spec/003 Seed Data Summary (1 flow, 10 steps, 5 infobase entries) and section
3 (step_type tour/choice/preference/action/explain, "Onboarding Flow"); columns: spec/004
migrations 0014 and 0018.

Shapes:

- ``FLOW``: ``{name, description}``; the flow is active and ``total_steps`` = ``len(STEPS)``.
- ``STEPS`` (natural key ``(flow_id, step_order)``, ``step_order`` = position 1..10):
  ``{step_type, title, description}`` plus, by type,

  - ``tour``: ``target_route``, ``target_selector`` (a ``data-tour`` CSS selector) and
    ``fallback_content`` (shown when the selector is not on the page);
  - ``choice`` / ``preference``: ``options`` = a list of ``{value, label, ...}`` choices,
    ``allows_multiple``, and what to do with the answer (stored first in
    ``user_onboarding_responses``): ``action_type`` ``save_setting`` with ``action_config``
    ``{key}`` writes ``user_settings (key, value)``; ``save_interests`` with ``{group,
    max_choices?}`` inserts one ``user_interests`` row per chosen option (``interest_key`` =
    value, ``interest_label`` = label);
  - ``action``: ``action_type`` (``create_habit``, ``start_focus``) and ``action_config``.

  Unused ``options`` are ``[]`` and unused ``action_config`` ``{}`` (the columns' defaults);
  ``step_type`` is an ``OnboardingStepType`` value (``db/platform/models.py``).
  ``required`` marks steps that cannot be skipped individually (the flow as a whole can be).
- ``INFOBASE`` (natural key ``title`` among rows with ``user_id IS NULL``): ``{title,
  category, tags, content}`` (markdown).
- ``FEATURE_FLAGS`` (natural key ``flag_name``): ``{flag_name, enabled, description}``.
  ``enabled`` is only the initial value: it is written when the flag is created and never
  reset by a later seed run, so a switch made by an admin survives restarts.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.platform.models import OnboardingStepType
from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Content: onboarding
# --------------------------------------------------------------------------------------------

FLOW: dict[str, Any] = {
    "name": "Main onboarding",
    "description": (
        "First-run setup: what Ignition is, your DAW, genres and goals, your focus rhythm, a "
        "short tour, then your first habit and first focus session."
    ),
}

STEPS: tuple[dict[str, Any], ...] = (
    {
        "step_type": "explain",
        "title": "Welcome to Ignition",
        "description": (
            "Ignition turns studio time into progress you can see. Focus sessions, habits, "
            "lessons and workouts earn XP and coins; XP levels up your six skills, coins buy "
            "rewards you choose in the market. Two minutes of setup and you are in."
        ),
        "fallback_content": None,
        "required": True,
    },
    {
        "step_type": "choice",
        "title": "Which DAW do you use most?",
        "description": "We use this to show shortcuts and tips for your setup.",
        "options": [
            {"value": "ableton_live", "label": "Ableton Live"},
            {"value": "fl_studio", "label": "FL Studio"},
            {"value": "logic_pro", "label": "Logic Pro"},
            {"value": "bitwig", "label": "Bitwig Studio"},
            {"value": "reaper", "label": "REAPER"},
            {"value": "cubase", "label": "Cubase"},
            {"value": "studio_one", "label": "Studio One"},
            {"value": "pro_tools", "label": "Pro Tools"},
            {"value": "other", "label": "Something else"},
        ],
        "allows_multiple": False,
        "required": True,
        "action_type": "save_setting",
        "action_config": {"key": "daw"},
    },
    {
        "step_type": "preference",
        "title": "What do you make?",
        "description": "Pick every genre you produce; it tunes the lessons and listening prompts.",
        "options": [
            {"value": "genre:house", "label": "House"},
            {"value": "genre:techno", "label": "Techno"},
            {"value": "genre:drum_and_bass", "label": "Drum & Bass"},
            {"value": "genre:hip_hop", "label": "Hip-Hop / Beats"},
            {"value": "genre:trap", "label": "Trap"},
            {"value": "genre:pop", "label": "Pop"},
            {"value": "genre:lofi", "label": "Lo-fi"},
            {"value": "genre:ambient", "label": "Ambient"},
            {"value": "genre:rnb", "label": "R&B / Soul"},
            {"value": "genre:film_game", "label": "Film & Game"},
            {"value": "genre:rock", "label": "Rock / Indie"},
        ],
        "allows_multiple": True,
        "required": False,
        "action_type": "save_interests",
        "action_config": {"group": "genre"},
    },
    {
        "step_type": "preference",
        "title": "What do you want from the next three months?",
        "description": "Choose up to three goals; your first quests are picked from them.",
        "options": [
            {"value": "goal:finish_tracks", "label": "Finish more tracks"},
            {"value": "goal:better_mixes", "label": "Make my mixes translate"},
            {"value": "goal:ear_training", "label": "Train my ears"},
            {"value": "goal:music_theory", "label": "Understand theory"},
            {"value": "goal:sound_design", "label": "Design my own sounds"},
            {"value": "goal:release_music", "label": "Release music regularly"},
            {"value": "goal:routine", "label": "Build a daily routine"},
            {"value": "goal:health", "label": "Stay healthy while producing"},
        ],
        "allows_multiple": True,
        "required": False,
        "action_type": "save_interests",
        "action_config": {"group": "goal", "max_choices": 3},
    },
    {
        "step_type": "choice",
        "title": "How long is a good focus session for you?",
        "description": "Your default timer length. You can change it before any session.",
        "options": [
            {"value": 25, "label": "25 minutes (classic Pomodoro)", "break_minutes": 5},
            {"value": 50, "label": "50 minutes", "break_minutes": 10},
            {"value": 90, "label": "90 minutes (deep work)", "break_minutes": 20},
        ],
        "allows_multiple": False,
        "required": True,
        "action_type": "save_setting",
        "action_config": {"key": "focus_duration_minutes", "default": 25},
    },
    {
        "step_type": "tour",
        "title": "Your focus timer",
        "description": (
            "Start a session with one clear intent. Completing it pays XP and coins; abandoning "
            "it pays nothing, so pick a length you can finish."
        ),
        "target_route": "/focus",
        "target_selector": "[data-tour='focus-timer']",
        "fallback_content": "The focus timer lives under Focus in the main menu.",
        "required": False,
    },
    {
        "step_type": "tour",
        "title": "Quests",
        "description": (
            "Daily and weekly quests give you a target for the day. Accept the ones that fit, "
            "complete them, then claim the reward."
        ),
        "target_route": "/quests",
        "target_selector": "[data-tour='quest-board']",
        "fallback_content": "Find your quests under Quests in the main menu.",
        "required": False,
    },
    {
        "step_type": "tour",
        "title": "The market",
        "description": (
            "Spend coins on rewards: a guilt-free break, a sample pack budget, a takeaway. "
            "Buying the treat after the work is the whole point."
        ),
        "target_route": "/market",
        "target_selector": "[data-tour='market-items']",
        "fallback_content": "The market is under Market in the main menu.",
        "required": False,
    },
    {
        "step_type": "action",
        "title": "Create your first habit",
        "description": "Pick a habit small enough for every day: small and daily beats big.",
        "action_type": "create_habit",
        "action_config": {
            "frequency": "daily",
            "suggestions": [
                {"name": "Open the DAW for 10 minutes", "icon": "music"},
                {"name": "One ear-training drill", "icon": "ear"},
                {"name": "Capture one idea", "icon": "lightbulb"},
                {"name": "Stretch after a session", "icon": "activity"},
            ],
        },
        "required": False,
    },
    {
        "step_type": "action",
        "title": "Start your first focus session",
        "description": "Write one intent and start the timer. Your first achievement is waiting.",
        "target_route": "/focus",
        "action_type": "start_focus",
        "action_config": {
            "mode": "focus",
            "use_setting": "focus_duration_minutes",
            "default_minutes": 25,
        },
        "required": True,
    },
)

# --------------------------------------------------------------------------------------------
# Content: infobase
# --------------------------------------------------------------------------------------------

_GAIN_STAGING = """\
**Goal:** give every plugin the level it was designed for and keep comparisons honest.

- Record or import with peaks around **-10 to -6 dBFS**; no need to record hot in 24-bit.
- Analogue-modelled plugins: aim for about **-18 dBFS average** (their 0 VU) at the input.
- Trim at the *top* of each channel (clip gain / utility), so faders sit near 0 dB.
- After every plugin, match output to input and A/B with bypass at equal loudness.
- Mix bus peaks around **-6 dBFS** before mastering. No limiter on the master while balancing.
- Master clipping? Pull the channel trims or a VCA down, not the master fader.
"""

_LOUDNESS = """\
**LUFS** measures perceived loudness over time; **dBTP** (true peak) measures the highest
inter-sample peak. Streaming services normalise playback to a reference level, so a louder
master is simply turned down.

| Destination | Typical reference (integrated) |
|---|---|
| Spotify, YouTube, Tidal, Amazon Music | about -14 LUFS |
| Apple Music (Sound Check) | about -16 LUFS |
| Podcasts / spoken word | -16 LUFS (stereo) |
| Club / DJ masters | often -9 to -6 LUFS, not normalised |

- Leave **-1 dBTP** of true-peak headroom (-2 dBTP for very loud masters) so the lossy encode
  does not clip.
- Judge your master *at the platform's level*: turn it down to -14 LUFS and compare with
  references at the same level. A dynamic master often sounds bigger after normalisation.
- Measure integrated loudness over the whole track, short-term loudness for the loudest
  section.
- Platforms change their numbers: check their current documentation before a release.
"""

_EAR_FATIGUE = """\
Your ears adapt to whatever they hear. After about **20 minutes** of continuous critical
listening, the balance starts to sound "right" even when it is not: highs seem duller, so you
add more; low end seems weaker, so you add more.

**The 20-minute rule**

- Every ~20 minutes of critical listening, stop for 2-5 minutes of silence (leave the room).
- Every 60-90 minutes, take a proper 10-15 minute break.
- Make big tonal decisions early in the day, with fresh ears; trust your first impression of a
  new bounce.
- Mix at a moderate level: roughly 75-85 dB SPL at the listening position, with short checks
  louder and quieter.

**Protect your hearing**

- Occupational guidance (NIOSH) allows 85 dBA for 8 hours; every +3 dB halves the safe time
  (88 dBA: 4 hours, 94 dBA: 1 hour).
- Ringing or muffled hearing after a session means the dose was too high: stop for the day.
- Use earplugs with a flat response at gigs and clubs.
"""

_REFERENCES = """\
A reference track is a finished record you trust, used as a ruler for your own mix.

1. **Choose 2-3 references** in the same genre, tempo range and arrangement density as your
   track, ideally well-mastered lossless files.
2. **Import them into the session** on their own channel routed *around* your master bus
   processing, so your limiter does not colour them.
3. **Level-match.** Turn the references down to your mix's loudness (LUFS-match). Louder
   always wins, so an unmatched comparison is worthless.
4. **Compare one thing at a time:** low-end balance, vocal level against the snare, stereo
   width, brightness, the length of the reverb tails.
5. **Switch quickly.** A few seconds each; long listens let your ears adapt.
6. **Write down the differences** and fix the largest one first, then compare again.

References also help arrangement: drop markers at every section change of the reference and
copy its bar counts.
"""

_FILES = """\
**Naming**

- Projects: `YYYY-MM-DD_TrackName_v03` (dates sort; versions never overwrite).
- Bounces: `TrackName_mix_v03_24b48k.wav`, `TrackName_master_v02_-1dBTP.wav`,
  `TrackName_stems_v03/` with one file per group (Drums, Bass, Music, Vox, FX).
- Save a new version before every big change ("Save as" beats undo history).

**Keep projects portable**

- Use your DAW's *Collect all and save* / *Consolidate* so samples live inside the project
  folder, not scattered over downloads.
- Print (freeze/bounce) synth and plugin tracks before archiving: plugins change and expire.
- Export stems and an instrumental when a track is finished; they are what labels, mix
  engineers and sync libraries ask for.

**Back up with 3-2-1**

- **3** copies of everything, on **2** different kinds of storage, **1** of them off-site
  (cloud or a drive at someone else's place).
- Automate it: an automatic nightly backup is worth more than a perfect manual plan.
- Test a restore once a quarter. A backup you never restored is a hope, not a backup.
"""

INFOBASE: tuple[dict[str, Any], ...] = (
    {
        "title": "Gain staging cheat sheet",
        "category": "mixing",
        "tags": ["mixing", "levels", "gain-staging"],
        "content": _GAIN_STAGING,
    },
    {
        "title": "Loudness targets: LUFS for streaming and clubs",
        "category": "mastering",
        "tags": ["mastering", "loudness", "lufs", "streaming"],
        "content": _LOUDNESS,
    },
    {
        "title": "The 20-minute rule for ear fatigue",
        "category": "health",
        "tags": ["ears", "health", "breaks", "monitoring"],
        "content": _EAR_FATIGUE,
    },
    {
        "title": "Reference track workflow",
        "category": "mixing",
        "tags": ["references", "mixing", "workflow"],
        "content": _REFERENCES,
    },
    {
        "title": "File naming and backups",
        "category": "workflow",
        "tags": ["files", "backups", "workflow", "archiving"],
        "content": _FILES,
    },
)

# --------------------------------------------------------------------------------------------
# Content: feature flags
# --------------------------------------------------------------------------------------------

FEATURE_FLAGS: tuple[dict[str, Any], ...] = (
    {
        "flag_name": "focus_music_libraries",
        "enabled": True,
        "description": "Focus music libraries: playlists of tracks to play during focus sessions.",
    },
    {
        "flag_name": "reference_track_analysis",
        "enabled": True,
        "description": "Upload reference tracks and run loudness/spectrum/section analysis.",
    },
    {
        "flag_name": "market_refunds",
        "enabled": True,
        "description": "Let users refund an unredeemed market purchase within 24 hours.",
    },
    {
        "flag_name": "drills_spaced_repetition",
        "enabled": False,
        "description": "Schedule drills by spaced repetition (due dates from drill stats).",
    },
    {
        "flag_name": "onboarding_v2",
        "enabled": False,
        "description": "The redesigned onboarding flow (replaces 'Main onboarding' when on).",
    },
    {
        "flag_name": "listening_prompts",
        "enabled": True,
        "description": "Guided critical-listening prompts on reference tracks and bounces.",
    },
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------

#: Built-in rows: the predicate of the partial unique index on ``infobase_entries (title)``.
BUILT_IN: sa.ColumnElement[bool] = sa.column("user_id").is_(None)

_STEP_COLUMNS: dict[str, Any] = {
    "description": None,
    "target_selector": None,
    "target_route": None,
    "fallback_content": None,
    "options": [],
    "allows_multiple": False,
    "required": False,
    "action_type": None,
    "action_config": {},
}


def flow_row() -> dict[str, Any]:
    """The ``onboarding_flows`` row of the main flow."""
    return {**FLOW, "is_active": True, "total_steps": len(STEPS)}


def step_rows(flow_id: Any) -> list[dict[str, Any]]:
    """The ``onboarding_steps`` rows of ``flow_id``, every row with the same columns."""
    rows = []
    for order, step in enumerate(STEPS, start=1):
        row = {**_STEP_COLUMNS, **step, "flow_id": flow_id, "step_order": order}
        row["step_type"] = OnboardingStepType(row["step_type"]).value
        rows.append(row)
    return rows


def infobase_rows() -> list[dict[str, Any]]:
    """The public ``infobase_entries`` rows (``user_id`` NULL)."""
    return [{**e, "user_id": None} for e in INFOBASE]


async def seed(conn: AsyncConnection) -> int:
    """Insert the missing onboarding flow and steps, infobase entries and feature flags."""
    changed = await upsert(conn, "onboarding_flows", [flow_row()], key=["name"])
    flow_id = (await ids_by(conn, "onboarding_flows", "name"))[FLOW["name"]]
    changed += await upsert(
        conn, "onboarding_steps", step_rows(flow_id), key=["flow_id", "step_order"]
    )
    changed += await upsert(
        conn, "infobase_entries", infobase_rows(), key=["title"], where=BUILT_IN
    )
    changed += await upsert(conn, "feature_flags", FEATURE_FLAGS, key=["flag_name"])
    return changed


COUNTS: dict[str, int] = {
    "onboarding_flows": 1,
    "onboarding_steps": len(STEPS),
    "infobase_entries": len(INFOBASE),
    "feature_flags": len(FEATURE_FLAGS),
}
