"""Learn catalog: topics, lessons (markdown + quiz) and ear-training drills.

Sources: spec/000 Part 7 ("learn_topics: core learning topics"; "learn_lessons: initial
lessons per topic"; "learn_drills: initial drills per topic"); spec/003 Seed Data Summary
(6 topics, 7 lessons, 7 drills) and section 9 (difficulty beginner/intermediate/advanced,
drill_type interval/chord/rhythm/scale, defaults). Columns: spec/004 migration 0013.

Shapes:

- ``TOPICS`` (natural key ``key``): ``{key, name, description, category, icon}``.
- ``LESSONS`` (natural key ``key``): ``{key, topic (a topic key), title, description,
  content_markdown, duration_minutes, difficulty, quiz (list of {question, options,
  answer_index}), xp_reward, coin_reward, skill_key, skill_star_reward}``; ``quiz`` is stored
  in ``quiz_json``.
- ``DRILLS`` (natural key ``key``): ``{key, topic, title, description, drill_type, config,
  difficulty, duration_seconds, xp_reward}``; ``config`` is stored in ``config_json``. Its shape
  per ``drill_type``:

  - ``interval``: ``{intervals: ["m2".."P8"], direction: ascending|descending|harmonic,
    questions, root_range: [low, high], instrument}``
  - ``chord``: ``{qualities: [...], inversions: bool, voicing: close|open, questions,
    root_range, instrument}``
  - ``rhythm``: ``{tempo_bpm, time_signature, questions}`` plus ``subdivisions`` (names) or
    ``patterns`` (16-step grids, ``x`` = hit, ``.`` = rest)
  - ``scale``: ``{scales: [...], direction, questions, root_range, instrument}``

Interval names: m2 M2 m3 M3 P4 TT P5 m6 M6 m7 M7 P8. ``difficulty`` and ``drill_type`` are
``LearnDifficulty`` / ``DrillType`` values (``db/learn/models.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.learn.models import DrillType, LearnDifficulty
from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Content: topics
# --------------------------------------------------------------------------------------------

TOPICS: tuple[dict[str, Any], ...] = (
    {
        "key": "ear_training",
        "name": "Ear Training",
        "description": "Hear intervals, chords, rhythms and frequency ranges without guessing.",
        "category": "listening",
        "icon": "ear",
    },
    {
        "key": "music_theory",
        "name": "Music Theory",
        "description": "Keys, chords and scales explained for people who work in a piano roll.",
        "category": "theory",
        "icon": "music",
    },
    {
        "key": "mixing",
        "name": "Mixing",
        "description": "Levels, EQ, compression and space: turning a session into a record.",
        "category": "production",
        "icon": "sliders-vertical",
    },
    {
        "key": "sound_design",
        "name": "Sound Design",
        "description": "Build your own patches and drums instead of scrolling presets.",
        "category": "production",
        "icon": "audio-waveform",
    },
    {
        "key": "arrangement",
        "name": "Arrangement",
        "description": "Turn an 8-bar loop into a finished song with shape and contrast.",
        "category": "composition",
        "icon": "layout-list",
    },
    {
        "key": "productivity",
        "name": "Studio Productivity",
        "description": "Habits and workflows that get tracks finished and keep you healthy.",
        "category": "workflow",
        "icon": "timer",
    },
)

# --------------------------------------------------------------------------------------------
# Content: lessons
# --------------------------------------------------------------------------------------------

_INTERVALS_MD = """\
# Recognise intervals with reference songs

An **interval** is the distance between two notes, counted in semitones (one key on the piano
to the very next one, black keys included). Producers use intervals constantly: tuning a
sample to the key, writing a bassline that follows the chords, hearing whether a vocal chop
jumps up a fourth or a fifth.

The fastest way to learn them is to tie each one to a melody you already know. Sing the first
two notes of the song and you have the interval.

| Interval | Semitones | Reference (ascending) |
|---|---|---|
| Minor 2nd (m2) | 1 | *Jaws* theme |
| Major 2nd (M2) | 2 | *Frère Jacques* |
| Minor 3rd (m3) | 3 | *Smoke on the Water* riff |
| Major 3rd (M3) | 4 | *When the Saints Go Marching In* |
| Perfect 4th (P4) | 5 | *Here Comes the Bride* |
| Tritone (TT) | 6 | *The Simpsons* theme |
| Perfect 5th (P5) | 7 | *Twinkle Twinkle Little Star* |
| Minor 6th (m6) | 8 | *The Entertainer* (the jump after the pickup) |
| Major 6th (M6) | 9 | *My Bonnie Lies Over the Ocean* |
| Minor 7th (m7) | 10 | *Somewhere* (West Side Story) |
| Major 7th (M7) | 11 | one semitone short of the octave |
| Octave (P8) | 12 | *Somewhere Over the Rainbow* |

## How to practise

1. Start with a small set: M2, M3, P4, P5, P8. Add the rest only when those feel easy.
2. **Name the interval before you check.** Guessing after seeing the answer trains nothing.
3. Sing or hum the interval back. If you can sing it, you can hear it.
4. Work ascending first, then descending, then harmonic (both notes at once).
5. Ten focused minutes a day beat an hour once a week.

Once you can spot a perfect fifth, try it in a mix: play a bass note and its fifth above and
listen to how stable it sounds compared with a tritone.
"""

_FREQUENCY_MD = """\
# Name that frequency band

Every EQ move starts with knowing *where* a problem lives. "It sounds muddy" or "the vocal is
harsh" each point to a fairly predictable part of the spectrum.

| Band | Range | What lives there | Too much sounds... |
|---|---|---|---|
| Sub | 20-60 Hz | 808 and kick fundamentals, felt more than heard | woolly, eats headroom |
| Bass | 60-250 Hz | body of bass, kick punch, warmth of keys | boomy |
| Low mids | 250-500 Hz | boxiness of drums, body of guitars and vocals | muddy, cardboard |
| Mids | 500 Hz-2 kHz | the "note" of most instruments, snare body | honky, telephone-like |
| Upper mids | 2-5 kHz | attack, consonants; where the ear is most sensitive | harsh, tiring |
| Presence | 5-10 kHz | sibilance (roughly 5-9 kHz), cymbals, pick noise | spitty, brittle |
| Air | 10-20 kHz | breath, shimmer, room | hissy, thin |

## The boost-and-sweep exercise

1. Put a bell EQ on a full mix or on pink noise, narrow (Q around 4), boosted +9 dB.
2. Sweep slowly from 40 Hz to 16 kHz and say out loud what you hear: "boom", "box", "honk",
   "bite", "ess", "air".
3. Now bypass the EQ, play a frequency at random, and guess the band before you look.

Keep the volume moderate: a +9 dB boost in the upper mids at loud levels tires your ears within
minutes. Stop as soon as everything starts sounding the same.

When a mix sounds muddy, reach for the 250-500 Hz region first; when it sounds harsh, look at
2-5 kHz before touching the top end.
"""

_DIATONIC_MD = """\
# The seven chords of a major key

Take a major scale and stack two more scale notes (every other note) on top of each degree.
You get the seven **diatonic chords**, the chords that "belong" to the key.

In C major (C D E F G A B):

| Degree | Chord | Notes | Quality |
|---|---|---|---|
| I | C | C E G | major |
| ii | Dm | D F A | minor |
| iii | Em | E G B | minor |
| IV | F | F A C | major |
| V | G | G B D | major |
| vi | Am | A C E | minor |
| vii° | Bdim | B D F | diminished |

The pattern never changes: **major on I, IV and V; minor on ii, iii and vi; diminished on
vii**. Learn the pattern once and you can work in any key.

## Progressions you already know

- **I-V-vi-IV** (C-G-Am-F): the backbone of countless pop songs.
- **vi-IV-I-V** (Am-F-C-G): the same chords starting on the minor, moodier.
- **ii-V-I** (Dm-G-C): the strongest pull back home, everywhere in jazz and house.

## Relative minor

The vi chord is the home chord of the **relative minor**: A minor uses exactly the notes of C
major. A track "in A minor" is simply centred on the vi chord.

## Producer tips

- Turn on your DAW's scale highlighting in the piano roll so only these seven notes light up.
- Swap a chord for one that shares two notes with it: I for vi, IV for ii. The function
  barely changes but the colour does.
- Put the bass on the root of each chord first; move it only once the progression works.
"""

_GAIN_STAGING_MD = """\
# Gain staging in the box

Modern DAWs mix in floating point, so a channel that goes "into the red" rarely clips inside
the software. Gain staging still matters, for three reasons:

1. **Analogue-modelled plugins react to level.** Compressors, saturators and console emulations
   are calibrated so that roughly **-18 dBFS average** equals their sweet spot (0 VU). Hit them
   with a signal peaking at 0 dBFS and they distort or over-compress.
2. **Faders work best near 0 dB.** Fader resolution is finest around unity; a mix where every
   fader sits at -30 dB is hard to balance.
3. **Louder always sounds better.** Without matched levels you cannot tell whether a plugin
   improved the sound or just made it louder.

## A simple routine

1. Record or import so that peaks land around **-10 to -6 dBFS**.
2. Use clip gain or a trim plugin at the top of every channel to bring each source to a
   similar working level *before* any processing.
3. After every plugin, match its output to its input and A/B with bypass at equal loudness.
4. Keep the mix bus peaking around **-6 dBFS** before mastering; do not put a limiter on the
   master "to see how it sounds loud" until the balance is done.
5. If the master clips, pull down the channel trims or a VCA group, not the master fader.

Gain staging is not about a magic number. It is about giving every processor the level it was
designed for and keeping your comparisons honest.
"""

_SUBTRACTIVE_EQ_MD = """\
# Cut before you boost: subtractive EQ

Most mixes get better when you remove what is in the way rather than add more of what you
want. Cutting also keeps headroom and avoids the "everything boosted, nothing clear" trap.

## 1. High-pass with your ears

Filter out low end that an instrument does not need, but listen while you do it. Sweep the
high-pass up until the sound gets thin, then back it off a little. Typical starting points:
vocals 80-120 Hz, guitars and keys 100-150 Hz, hi-hats 300 Hz or higher. Do not high-pass the
kick or the bass by reflex.

## 2. Find and tame resonances

Boost a narrow bell (Q 4-8) by about +8 dB, sweep until a frequency jumps out and rings
unpleasantly, then turn the boost into a cut of 3-6 dB. Be selective: two or three cuts per
sound is plenty.

## 3. Carve space for competing parts

When two sounds fight for the same range, **masking**, cut one where the other is most
important. Classic pairs: kick and bass (give the kick 50-60 Hz, cut the bass there slightly),
vocal and synth pad (dip the pad around 2-4 kHz).

## 4. Then boost, broadly

Tone shaping boosts should be wide (Q around 0.7) and gentle (1-3 dB). A narrow boost usually
means a problem elsewhere.

## Always judge in context

EQ decisions made in solo often make the track worse in the mix. Solo to *find* a problem,
un-solo to *fix* it.
"""

_SYNTH_MD = """\
# Subtractive synthesis: oscillator, filter, envelope

Most synths you own, from a free plugin to a vintage mono, follow the same recipe: start with
a harmonically rich waveform, filter some of it away, and shape it over time.

## Oscillators

- **Sine**: the fundamental only. Pure, great for sub bass.
- **Triangle**: odd harmonics that fade quickly. Soft, flute-like.
- **Square**: odd harmonics only. Hollow, woody, reedy.
- **Saw**: every harmonic. Bright and buzzy; the starting point for leads, pads and basses.

Two saws detuned by a few cents against each other sound wide and alive instead of static.

## Filter

A **low-pass filter** removes harmonics above its cutoff frequency. Lower cutoff = darker
sound. **Resonance** boosts the frequencies right at the cutoff; high resonance gives the
classic squelchy, vocal sweep.

## Envelopes (ADSR)

- **Attack**: time to reach full level after a key is pressed.
- **Decay**: time to fall to the sustain level.
- **Sustain**: the *level* held while the key is down (not a time).
- **Release**: time to fade out after the key is released.

Route an envelope to the filter cutoff and the brightness moves with every note.

## Two patches to build now

- **Pluck**: one saw, low-pass cutoff low, filter envelope amount high, decay around 200 ms,
  sustain 0, short release.
- **Pad**: two detuned saws, cutoff halfway, amp attack around 800 ms, release 1-2 s, a slow
  LFO on the cutoff.

Build each from an initialised patch, not a preset: that is how the controls stop being
mysterious.
"""

_ARRANGEMENT_MD = """\
# Arrange with energy: the 8-bar rule of change

The loop sounds great, you have listened to it a hundred times, and it still is not a song.
Arrangement is the art of **contrast over time**: the listener only feels the drop because
the breakdown took things away.

## The 8-bar rule

Every 8 bars (every 4 at slower tempos), something should change: an element enters or leaves,
a filter opens, the drums switch pattern, a fill or riser leads into the next section. The
change can be small; what matters is that the ear keeps being rewarded.

## Draw the energy curve

Sketch the track as a line from 0 to 10 before you arrange: low intro, rising build, peak at
the drop or chorus, a dip in the breakdown, a bigger second peak, a tail. Then make each
section match its height with density, register and loudness.

## A common dance-track map (bars)

| Section | Bars |
|---|---|
| Intro | 16 |
| Build | 16 |
| Drop 1 | 32 |
| Breakdown | 32 |
| Build | 16 |
| Drop 2 (with a variation) | 32 |
| Outro | 16 |

## Arrange by subtraction

Make a loop with *every* part playing, copy it out to three or four minutes, then delete and
mute your way to an arrangement. Removing is faster and less precious than adding.

## Steal a structure

Drop a reference track into your session, put markers at its section changes and copy its bar
counts. Form is not copyright; it is craft.
"""

_PRODUCTIVITY_MD = """\
# Separate creating from critiquing

The biggest time sink in a home studio is switching modes: writing a chord progression,
then tweaking the reverb on the snare, then checking a tutorial, then back. Each switch costs
momentum. Focus sessions work when each one has **one kind of work**.

## Give every session one intent

Not "work on the track" but "write 8 bars of chords for the chorus" or "balance the drums
against the bass". Write the intent before you start the timer. When the timer ends, you know
whether you did it.

## Split the modes

- **Create sessions**: writing, sound design, recording. No mixing, no solo button, no
  analysers. Bad ideas are allowed.
- **Critique sessions**: mixing, editing, arrangement decisions. Fresh ears, references at
  hand, notes from the last listen.

## Capture, don't chase

When an unrelated idea or a to-do pops up mid-session, write it in your ideas inbox in one
line and return to the task. The idea is safe; your focus is intact.

## Breaks are for your ears

Stand up, leave the speakers, drink water. After 60-90 minutes of mixing, your ears adapt to
the balance and your judgement drifts; a 10-15 minute break in silence resets them.

## End with the next action

The last two minutes of a session: write the very next concrete step ("record vocal take 3",
"fix the clap timing at bar 33"). Tomorrow's session then starts in seconds, not twenty
minutes of remembering where you were.
"""

LESSONS: tuple[dict[str, Any], ...] = (
    {
        "key": "intervals_with_reference_songs",
        "topic": "ear_training",
        "title": "Recognise intervals with reference songs",
        "description": "Tie each interval to a melody you know and learn them in days, not months.",
        "content_markdown": _INTERVALS_MD,
        "duration_minutes": 8,
        "difficulty": "beginner",
        "quiz": [
            {
                "question": "How many semitones make a perfect fifth?",
                "options": ["5", "6", "7", "8"],
                "answer_index": 2,
            },
            {
                "question": "Which opening is a classic reference for the tritone?",
                "options": [
                    "Twinkle Twinkle Little Star",
                    "The Simpsons theme",
                    "Here Comes the Bride",
                    "Jaws",
                ],
                "answer_index": 1,
            },
            {
                "question": "What is the most useful habit when drilling intervals?",
                "options": [
                    "Looking at the answer first, then listening",
                    "Practising only harmonic intervals",
                    "Naming the interval before checking the answer",
                    "Practising once a week for an hour",
                ],
                "answer_index": 2,
            },
        ],
        "xp_reward": 20,
        "coin_reward": 10,
        "skill_key": "knowledge",
        "skill_star_reward": 1,
    },
    {
        "key": "name_that_frequency_band",
        "topic": "ear_training",
        "title": "Name that frequency band",
        "description": "The seven regions of the spectrum and the words engineers use for them.",
        "content_markdown": _FREQUENCY_MD,
        "duration_minutes": 10,
        "difficulty": "beginner",
        "quiz": [
            {
                "question": "A mix sounds muddy. Which range do you check first?",
                "options": ["20-60 Hz", "250-500 Hz", "2-5 kHz", "10-20 kHz"],
                "answer_index": 1,
            },
            {
                "question": "Vocal sibilance mostly sits around...",
                "options": ["100-200 Hz", "500 Hz-1 kHz", "5-9 kHz", "15-20 kHz"],
                "answer_index": 2,
            },
        ],
        "xp_reward": 20,
        "coin_reward": 10,
        "skill_key": "knowledge",
        "skill_star_reward": 1,
    },
    {
        "key": "diatonic_chords_major",
        "topic": "music_theory",
        "title": "The seven chords of a major key",
        "description": "Major, minor, diminished: the one pattern behind every major-key track.",
        "content_markdown": _DIATONIC_MD,
        "duration_minutes": 10,
        "difficulty": "beginner",
        "quiz": [
            {
                "question": "In C major, which chord is built on the 6th degree?",
                "options": ["F major", "A minor", "G major", "E minor"],
                "answer_index": 1,
            },
            {
                "question": "What is the quality of the vii chord in a major key?",
                "options": ["major", "minor", "diminished", "augmented"],
                "answer_index": 2,
            },
            {
                "question": "Which progression is I-V-vi-IV in C major?",
                "options": ["C-G-Am-F", "C-F-G-C", "Am-F-C-G", "Dm-G-C-C"],
                "answer_index": 0,
            },
        ],
        "xp_reward": 25,
        "coin_reward": 10,
        "skill_key": "knowledge",
        "skill_star_reward": 1,
    },
    {
        "key": "gain_staging_in_the_box",
        "topic": "mixing",
        "title": "Gain staging in the box",
        "description": "Why levels still matter in a floating-point DAW and a routine that works.",
        "content_markdown": _GAIN_STAGING_MD,
        "duration_minutes": 8,
        "difficulty": "beginner",
        "quiz": [
            {
                "question": "Why match levels when bypassing a plugin?",
                "options": [
                    "To save CPU",
                    "Because louder sounds better and hides the real difference",
                    "Because the DAW clips otherwise",
                    "To make the meters green",
                ],
                "answer_index": 1,
            },
            {
                "question": "Analogue-modelled plugins are usually calibrated so 0 VU equals...",
                "options": ["0 dBFS", "-6 dBFS peak", "about -18 dBFS average", "-60 dBFS"],
                "answer_index": 2,
            },
        ],
        "xp_reward": 25,
        "coin_reward": 12,
        "skill_key": "knowledge",
        "skill_star_reward": 1,
    },
    {
        "key": "subtractive_eq",
        "topic": "mixing",
        "title": "Cut before you boost: subtractive EQ",
        "description": "High-pass by ear, tame resonances and carve space between parts.",
        "content_markdown": _SUBTRACTIVE_EQ_MD,
        "duration_minutes": 10,
        "difficulty": "intermediate",
        "quiz": [
            {
                "question": "What is a good way to find a ringing resonance?",
                "options": [
                    "Wide 1 dB boost with the track muted",
                    "Narrow boost, sweep, then cut where it rings",
                    "High-pass everything at 500 Hz",
                    "Turn up the master limiter",
                ],
                "answer_index": 1,
            },
            {
                "question": "Tone-shaping boosts should generally be...",
                "options": [
                    "narrow and large",
                    "wide and gentle",
                    "made only in solo",
                    "always above 10 kHz",
                ],
                "answer_index": 1,
            },
        ],
        "xp_reward": 30,
        "coin_reward": 15,
        "skill_key": "knowledge",
        "skill_star_reward": 2,
    },
    {
        "key": "subtractive_synthesis_basics",
        "topic": "sound_design",
        "title": "Subtractive synthesis: oscillator, filter, envelope",
        "description": "The three building blocks of almost every synth, and two patches to build.",
        "content_markdown": _SYNTH_MD,
        "duration_minutes": 12,
        "difficulty": "beginner",
        "quiz": [
            {
                "question": "Which waveform contains every harmonic?",
                "options": ["Sine", "Square", "Saw", "Triangle"],
                "answer_index": 2,
            },
            {
                "question": "In an ADSR envelope, sustain is...",
                "options": [
                    "a time in milliseconds",
                    "a level held while the key is down",
                    "the fade after the key is released",
                    "the filter cutoff",
                ],
                "answer_index": 1,
            },
        ],
        "xp_reward": 25,
        "coin_reward": 12,
        "skill_key": "creativity",
        "skill_star_reward": 1,
    },
    {
        "key": "energy_and_the_8_bar_rule",
        "topic": "arrangement",
        "title": "Arrange with energy: the 8-bar rule of change",
        "description": "Escape the loop: energy curves, section maps and arranging by subtraction.",
        "content_markdown": _ARRANGEMENT_MD,
        "duration_minutes": 10,
        "difficulty": "intermediate",
        "quiz": [
            {
                "question": "What does the 8-bar rule ask for?",
                "options": [
                    "Every section lasts exactly 8 bars",
                    "Something changes at least every 8 bars",
                    "The drop starts at bar 8",
                    "Eight tracks at most",
                ],
                "answer_index": 1,
            },
            {
                "question": "What does 'arranging by subtraction' start from?",
                "options": [
                    "An empty session",
                    "A drum loop only",
                    "A long loop with every part playing",
                    "The master limiter",
                ],
                "answer_index": 2,
            },
        ],
        "xp_reward": 30,
        "coin_reward": 15,
        "skill_key": "creativity",
        "skill_star_reward": 2,
    },
    {
        "key": "separate_creating_from_critiquing",
        "topic": "productivity",
        "title": "Separate creating from critiquing",
        "description": "One intent per focus session, split modes and better breaks.",
        "content_markdown": _PRODUCTIVITY_MD,
        "duration_minutes": 6,
        "difficulty": "beginner",
        "quiz": [
            {
                "question": "Which is a good focus-session intent?",
                "options": [
                    "Work on the track",
                    "Write 8 bars of chords for the chorus",
                    "Make it sound better",
                    "Check plugins",
                ],
                "answer_index": 1,
            },
            {
                "question": "What should you do when an unrelated idea pops up mid-session?",
                "options": [
                    "Start it immediately",
                    "Ignore and forget it",
                    "Write it in one line in the ideas inbox and go back",
                    "End the session",
                ],
                "answer_index": 2,
            },
        ],
        "xp_reward": 20,
        "coin_reward": 10,
        "skill_key": "discipline",
        "skill_star_reward": 1,
    },
)

# --------------------------------------------------------------------------------------------
# Content: drills
# --------------------------------------------------------------------------------------------

DRILLS: tuple[dict[str, Any], ...] = (
    {
        "key": "intervals_ascending_basic",
        "topic": "ear_training",
        "title": "Ascending intervals: the essentials",
        "description": "Major 2nd, major 3rd, perfect 4th, perfect 5th and the octave, going up.",
        "drill_type": "interval",
        "config": {
            "intervals": ["M2", "M3", "P4", "P5", "P8"],
            "direction": "ascending",
            "questions": 10,
            "root_range": ["C3", "C5"],
            "instrument": "piano",
        },
        "difficulty": "beginner",
        "duration_seconds": 120,
        "xp_reward": 5,
    },
    {
        "key": "intervals_descending",
        "topic": "ear_training",
        "title": "Descending intervals",
        "description": "The same distances heard downward, where most people stumble.",
        "drill_type": "interval",
        "config": {
            "intervals": ["m2", "M2", "m3", "M3", "P4", "P5"],
            "direction": "descending",
            "questions": 10,
            "root_range": ["C3", "C5"],
            "instrument": "piano",
        },
        "difficulty": "intermediate",
        "duration_seconds": 150,
        "xp_reward": 8,
    },
    {
        "key": "intervals_harmonic_all",
        "topic": "ear_training",
        "title": "Harmonic intervals: all twelve",
        "description": "Both notes at once, every interval up to the octave.",
        "drill_type": "interval",
        "config": {
            "intervals": ["m2", "M2", "m3", "M3", "P4", "TT", "P5", "m6", "M6", "m7", "M7", "P8"],
            "direction": "harmonic",
            "questions": 12,
            "root_range": ["C3", "C4"],
            "instrument": "piano",
        },
        "difficulty": "advanced",
        "duration_seconds": 180,
        "xp_reward": 12,
    },
    {
        "key": "triads_major_minor",
        "topic": "ear_training",
        "title": "Major or minor?",
        "description": "Tell bright from dark: root-position major and minor triads.",
        "drill_type": "chord",
        "config": {
            "qualities": ["major", "minor"],
            "inversions": False,
            "voicing": "close",
            "questions": 10,
            "root_range": ["C3", "C4"],
            "instrument": "piano",
        },
        "difficulty": "beginner",
        "duration_seconds": 90,
        "xp_reward": 5,
    },
    {
        "key": "triads_all_qualities",
        "topic": "ear_training",
        "title": "Triads and suspensions",
        "description": "Major, minor, diminished, augmented, sus2 and sus4, with inversions.",
        "drill_type": "chord",
        "config": {
            "qualities": ["major", "minor", "diminished", "augmented", "sus2", "sus4"],
            "inversions": True,
            "voicing": "close",
            "questions": 12,
            "root_range": ["C3", "C4"],
            "instrument": "piano",
        },
        "difficulty": "intermediate",
        "duration_seconds": 180,
        "xp_reward": 8,
    },
    {
        "key": "seventh_chords",
        "topic": "music_theory",
        "title": "Seventh chords",
        "description": "maj7, m7, dominant 7, half-diminished and diminished 7: the colours of "
        "house, neo-soul and jazz.",
        "drill_type": "chord",
        "config": {
            "qualities": ["maj7", "m7", "7", "m7b5", "dim7"],
            "inversions": False,
            "voicing": "open",
            "questions": 10,
            "root_range": ["C3", "C4"],
            "instrument": "electric_piano",
        },
        "difficulty": "advanced",
        "duration_seconds": 180,
        "xp_reward": 12,
    },
    {
        "key": "rhythm_subdivisions",
        "topic": "ear_training",
        "title": "Count the subdivision",
        "description": "Quarters, eighths, sixteenths or triplets? Hear the grid of a hi-hat part.",
        "drill_type": "rhythm",
        "config": {
            "tempo_bpm": 90,
            "time_signature": "4/4",
            "subdivisions": ["quarter", "eighth", "sixteenth", "eighth_triplet"],
            "bars": 1,
            "questions": 8,
        },
        "difficulty": "beginner",
        "duration_seconds": 120,
        "xp_reward": 5,
    },
    {
        "key": "rhythm_drum_grooves",
        "topic": "arrangement",
        "title": "Name the groove",
        "description": "Four-on-the-floor, two-step, half-time, boom bap: identify the kick and "
        "snare pattern.",
        "drill_type": "rhythm",
        "config": {
            "tempo_bpm": 124,
            "time_signature": "4/4",
            "patterns": [
                {
                    "name": "four_on_the_floor",
                    "kick": "x...x...x...x...",
                    "snare": "....x.......x...",
                },
                {"name": "two_step", "kick": "x.........x.....", "snare": "....x.......x..."},
                {"name": "half_time", "kick": "x.....x.........", "snare": "........x......."},
                {"name": "boom_bap", "kick": "x......x..x.....", "snare": "....x.......x..."},
            ],
            "questions": 8,
        },
        "difficulty": "intermediate",
        "duration_seconds": 150,
        "xp_reward": 8,
    },
    {
        "key": "scales_major_minor",
        "topic": "music_theory",
        "title": "Major or natural minor scale?",
        "description": "Hear the third and the sixth decide the mood of a scale.",
        "drill_type": "scale",
        "config": {
            "scales": ["major", "natural_minor"],
            "direction": "ascending",
            "questions": 10,
            "root_range": ["C3", "C4"],
            "instrument": "piano",
        },
        "difficulty": "beginner",
        "duration_seconds": 120,
        "xp_reward": 5,
    },
    {
        "key": "scales_modes",
        "topic": "music_theory",
        "title": "Modes by ear",
        "description": "Dorian, phrygian, lydian, mixolydian: the modal colours behind deep "
        "house, techno and film music.",
        "drill_type": "scale",
        "config": {
            "scales": ["ionian", "dorian", "phrygian", "lydian", "mixolydian", "aeolian"],
            "direction": "ascending_descending",
            "questions": 12,
            "root_range": ["C3", "C4"],
            "instrument": "piano",
        },
        "difficulty": "advanced",
        "duration_seconds": 210,
        "xp_reward": 12,
    },
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def topic_rows() -> list[dict[str, Any]]:
    """The ``learn_topics`` rows, ``sort_order`` in tuple order."""
    return [{**t, "sort_order": (i + 1) * 10} for i, t in enumerate(TOPICS)]


def lesson_rows(topic_ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``learn_lessons`` rows, topics resolved through ``topic_ids`` (key -> id)."""
    rows = []
    for i, lesson in enumerate(LESSONS):
        row = {k: v for k, v in lesson.items() if k not in ("topic", "quiz")}
        row["topic_id"] = topic_ids[lesson["topic"]]
        row["difficulty"] = LearnDifficulty(lesson["difficulty"]).value
        row["quiz_json"] = lesson["quiz"]
        row["sort_order"] = (i + 1) * 10
        rows.append(row)
    return rows


def drill_rows(topic_ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``learn_drills`` rows, topics resolved through ``topic_ids`` (key -> id)."""
    rows = []
    for i, drill in enumerate(DRILLS):
        row = {k: v for k, v in drill.items() if k not in ("topic", "config")}
        row["topic_id"] = topic_ids[drill["topic"]]
        row["drill_type"] = DrillType(drill["drill_type"]).value
        row["difficulty"] = LearnDifficulty(drill["difficulty"]).value
        row["config_json"] = drill["config"]
        row["sort_order"] = (i + 1) * 10
        rows.append(row)
    return rows


async def seed(conn: AsyncConnection) -> int:
    """Upsert topics, then lessons and drills under them; returns rows changed."""
    changed = await upsert(conn, "learn_topics", topic_rows(), key=["key"])
    topic_ids = await ids_by(conn, "learn_topics", "key")
    changed += await upsert(conn, "learn_lessons", lesson_rows(topic_ids), key=["key"])
    changed += await upsert(conn, "learn_drills", drill_rows(topic_ids), key=["key"])
    return changed


COUNTS: dict[str, int] = {
    "learn_topics": len(TOPICS),
    "learn_lessons": len(LESSONS),
    "learn_drills": len(DRILLS),
}
