"""What the demo producers write: habits, goals, books, reference tracks, notes, ideas and the
rest, as plain module-level data that :mod:`seeds.demo.builder` samples from.

Everything here is invented for the demo (artists, tracks and people are fictional; the books
are real titles about production, creativity and focus). Shapes are documented per constant.
"""

from __future__ import annotations

from typing import Any

#: Habits ``(name, description, icon, color, hour of day it is usually done, reliability)``;
#: reliability is the chance of doing it on a day after a day it was done (0-1).
HABITS: tuple[tuple[str, str, str, str, float, float], ...] = (
    ("Finish one 8-bar loop", "Small, finished, every day. Bounce it, name it, move on.",
     "repeat", "#f97316", 11.0, 0.9),
    ("Open the DAW for 10 minutes", "The minimum that keeps the streak: just open a project.",
     "music", "#6366f1", 10.0, 0.93),
    ("One ear-training drill", "Intervals, chords or rhythm: one drill in the ear gym.",
     "ear", "#14b8a6", 9.5, 0.8),
    ("Capture one idea", "A melody, a sample, a title: into the inbox before it is gone.",
     "lightbulb", "#eab308", 21.0, 0.85),
    ("Stretch wrists after a session", "Two minutes of wrist and forearm stretches.",
     "activity", "#22c55e", 18.0, 0.75),
    ("Critical listening: one reference", "Listen to one reference track on the monitors, "
     "notes only, no producing.", "headphones", "#0ea5e9", 20.0, 0.7),
    ("Design one new patch", "Start from an init patch; save it with a descriptive name.",
     "sliders-horizontal", "#a855f7", 16.0, 0.7),
    ("Read 10 pages", "Any book on the shelf about music, creativity or the craft.",
     "book-open", "#78716c", 22.5, 0.8),
    ("Phone in another room", "No phone in the studio during focus blocks.",
     "smartphone-off", "#ef4444", 10.5, 0.85),
    ("Back up today's project", "Collect all and save, then let the backup run.",
     "hard-drive", "#64748b", 23.0, 0.75),
    ("20-minute walk, no headphones", "Rest the ears, move the body.",
     "footprints", "#16a34a", 13.5, 0.7),
)  # fmt: skip


#: Goals ``(title, description, category, milestones)``.
GOALS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Release an EP",
     "Four finished, mastered tracks out on all platforms before the end of the season.",
     "release",
     ("Pick the four strongest sketches", "Finish all four arrangements",
      "Mixdown of all four tracks", "Master and test on car, phone and club system",
      "Artwork, metadata and distributor upload")),
    ("Finish 12 tracks this year",
     "Finished beats perfect: one completed, bounced track a month.",
     "output",
     ("Three tracks finished", "Six tracks finished", "Nine tracks finished",
      "Twelve tracks finished")),
    ("Make my mixes translate",
     "Mixes that sound right on monitors, headphones, the car and a phone speaker.",
     "mixing",
     ("Treat the first reflection points", "Build a reference playlist for my genre",
      "Calibrate monitoring to a fixed level", "Check every mix on three systems")),
    ("Design my own bass sounds",
     "Stop scrolling presets: a personal library of 30 basses made from scratch.",
     "sound_design",
     ("Learn subtractive basics on one synth", "10 sub and reese basses",
      "10 mid-range growls with resampling", "Organise and tag the library")),
    ("Play a 60-minute live set",
     "A hybrid live set of my own tracks, ready for a real gig.",
     "performance",
     ("Choose 12 tracks and prepare stems", "Map the controller", "Rehearse the full set twice",
      "Book a first gig")),
    ("Build a field-recording sample pack",
     "Record the city and turn it into a drum kit and textures.",
     "sound_design",
     ("Record 50 one-shots around town", "Edit and normalise everything",
      "Build a drum rack", "Share the pack with two producer friends")),
)  # fmt: skip

#: Books ``(title, author, pages)``.
BOOKS: tuple[tuple[str, str, int], ...] = (
    ("The War of Art", "Steven Pressfield", 165),
    ("Steal Like an Artist", "Austin Kleon", 160),
    ("Making Music: 74 Creative Strategies for Electronic Music Producers", "Dennis DeSantis",
     284),
    ("Mixing Secrets for the Small Studio", "Mike Senior", 372),
    ("Mastering Audio: The Art and the Science", "Bob Katz", 334),
    ("How Music Works", "David Byrne", 352),
    ("The Creative Act: A Way of Being", "Rick Rubin", 432),
    ("Zen and the Art of Mixing", "Mixerman", 304),
    ("Deep Work", "Cal Newport", 296),
    ("This Is Your Brain on Music", "Daniel J. Levitin", 322),
    ("Dance Music Manual", "Rick Snoman", 560),
    ("Recording Secrets for the Small Studio", "Mike Senior", 396),
)  # fmt: skip

#: Short books a demo producer can finish within the month (indexes into :data:`BOOKS`).
SHORT_BOOKS: tuple[int, ...] = (0, 1)

BOOK_NOTES: tuple[str, ...] = (
    "Resistance shows up hardest right before finishing. Noted.",
    "Idea: limit every sketch to 8 tracks, like the constraint chapter suggests.",
    "Gain staging chapter finally made -18 dBFS click.",
    "Copied the mix checklist into my references.",
    "Good reminder: finish, then judge.",
    "Try the 'make it worse on purpose' exercise tomorrow.",
)

#: Reference tracks ``(name, artist, album, genre, bpm, key, duration seconds, tags)``; the
#: artists are fictional.
REFERENCE_TRACKS: tuple[tuple[str, str, str, str, float, str, float, tuple[str, ...]], ...] = (
    ("Nightdrive", "Kessler Lane", "Afterhours EP", "house", 124.0, "A minor", 372.0,
     ("groove", "pads", "sidechain")),
    ("Concrete Bloom", "Oona Reyes", "Concrete Bloom", "techno", 132.0, "F minor", 408.0,
     ("rumble", "hypnotic", "reference-low-end")),
    ("Paper Lanterns", "Mako & The Tide", "Small Hours", "lofi", 82.0, "D major", 164.0,
     ("tape", "swing", "rhodes")),
    ("Glasshouse", "Verity Moss", "Glasshouse", "pop", 104.0, "E major", 201.0,
     ("vocals", "loudness", "bright")),
    ("Signal Fire", "Halden", "North Rooms", "drum_and_bass", 174.0, "G minor", 318.0,
     ("reese", "breaks", "drop")),
    ("Low Sun Over Tarmac", "Juno Ashby", "Heatwave", "hip_hop", 90.0, "C minor", 188.0,
     ("boom-bap", "sample-chops", "vinyl")),
    ("Tidal Memory", "Ilse Varga", "Shoreline Studies", "ambient", 68.0, "B flat major", 426.0,
     ("texture", "reverb", "space")),
    ("Brass Knuckle Bounce", "Deon Ferris", "Bounce Theory", "trap", 142.0, "F sharp minor",
     176.0, ("808", "hi-hat-rolls", "punch")),
    ("Velvet Static", "Nadia Kross", "Velvet Static", "rnb", 96.0, "E flat major", 214.0,
     ("vocals", "warm", "sub")),
    ("Northbound", "The Arcade Pilots", "Northbound", "film_game", 110.0, "D minor", 244.0,
     ("orchestral", "hybrid", "risers")),
    ("Floor Theory", "Kessler Lane", "Afterhours EP", "house", 126.0, "G minor", 390.0,
     ("drums", "shuffle", "reference-mix")),
    ("Static Bloom", "Oona Reyes", "Concrete Bloom", "techno", 130.0, "A minor", 455.0,
     ("acid", "automation", "long-build")),
)  # fmt: skip

#: Annotations ``(title, content, category)`` on reference tracks.
ANNOTATIONS: tuple[tuple[str, str, str], ...] = (
    ("Sidechain pump on the pads",
     "Pads duck about 4 dB on every kick with a fast release: that is what makes it breathe.",
     "mix"),
    ("Kick and bass share 50-60 Hz",
     "They never clash: the bass notes are short and sit between the kicks.", "mix"),
    ("Clap layered 10 ms behind the snare",
     "Widens the backbeat without a reverb; try it on my EP opener.", "production"),
    ("Riser starts 16 bars before the drop",
     "White noise plus a pitched-up vocal, filter opens over the last 8 bars.", "arrangement"),
    ("One beat of silence before the drop",
     "Reverb tails are cut dead, then everything comes back at once.", "arrangement"),
    ("Drop sits around -8 LUFS short-term",
     "Loud but not crushed: the kick transient still pokes through.", "mastering"),
    ("Hats subtly panned, shaker wide", "Drums are mono at the core; width comes from the "
     "percussion and the pads.", "mix"),
    ("Filter sweep on the bass in the last 4 bars",
     "Low-pass closes to about 300 Hz, then snaps open on the one.", "arrangement"),
    ("Vocal chop uses formant shift",
     "Chopped on the offbeat, formant down a few semitones so it reads as an instrument.",
     "technique"),
    ("No harshness at 3-5 kHz", "Top end stays smooth even at high volume. Check my mixes "
     "against this one.", "mastering"),
    ("Chord stabs through a short plate",
     "Saw stabs, short plate reverb, a little saturation before the reverb.", "technique"),
    ("Breakdown strips to pads and vocal", "Energy drops to almost nothing, which makes the "
     "second drop hit twice as hard.", "arrangement"),
    ("Reese bass: two detuned saws", "Slow phaser on top, mono below 120 Hz.", "technique"),
    ("808 glides between root and fifth", "Glide about 60 ms, saturation for the small "
     "speakers.", "production"),
)  # fmt: skip

#: Song structure ``(section_type, name, bars)`` per genre family; regions follow it until the
#: track ends.
STRUCTURES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "club": (("intro", "Intro", 16), ("buildup", "Build", 8), ("drop", "Drop 1", 32),
             ("breakdown", "Breakdown", 16), ("buildup", "Build 2", 8), ("drop", "Drop 2", 32),
             ("outro", "Outro", 16)),
    "song": (("intro", "Intro", 4), ("verse", "Verse 1", 16), ("pre_chorus", "Pre-chorus", 8),
             ("chorus", "Chorus", 16), ("verse", "Verse 2", 16), ("chorus", "Chorus 2", 16),
             ("bridge", "Bridge", 8), ("chorus", "Final chorus", 16), ("outro", "Outro", 8)),
    "ambient": (("intro", "Opening swell", 8), ("other", "Texture A", 24),
                ("breakdown", "Thinning out", 16), ("other", "Texture B", 24),
                ("outro", "Fade", 8)),
}  # fmt: skip

#: Genre -> structure family of :data:`STRUCTURES`.
GENRE_STRUCTURE: dict[str, str] = {
    "house": "club", "techno": "club", "drum_and_bass": "club", "trap": "song",
    "lofi": "song", "pop": "song", "hip_hop": "song", "rnb": "song", "film_game": "ambient",
    "ambient": "ambient", "rock": "song",
}  # fmt: skip

#: Section type -> region color.
SECTION_COLORS: dict[str, str] = {
    "intro": "#94a3b8", "verse": "#60a5fa", "pre_chorus": "#818cf8", "chorus": "#f472b6",
    "bridge": "#facc15", "drop": "#ef4444", "breakdown": "#22d3ee", "buildup": "#fb923c",
    "outro": "#64748b", "other": "#10b981",
}  # fmt: skip

#: Focus tracks with no reference track behind them ``(title, url, duration seconds)``.
AMBIENT_TRACKS: tuple[tuple[str, str, int], ...] = (
    ("Brown noise, 60 minutes", "https://cdn.ignition.example/ambient/brown-noise-60.mp3", 3600),
    ("Rain on a studio window", "https://cdn.ignition.example/ambient/rain-window.mp3", 2700),
    ("Tape hiss and vinyl crackle", "https://cdn.ignition.example/ambient/tape-hiss.mp3", 1800),
    ("Forest at dawn", "https://cdn.ignition.example/ambient/forest-dawn.mp3", 2400),
    ("Low drone in D", "https://cdn.ignition.example/ambient/drone-d.mp3", 3000),
    ("Coffee shop murmur", "https://cdn.ignition.example/ambient/coffee-shop.mp3", 2100),
)  # fmt: skip

#: What a focus session is about (``focus_sessions.task_title`` and plan items).
FOCUS_TASKS: tuple[str, ...] = (
    "Arrange the breakdown of the EP opener",
    "Drum programming: groove for 'Late Bus'",
    "Sound design: five new bass patches",
    "Vocal mixdown pass",
    "Finish one 8-bar loop",
    "Resample and chop the pad stem",
    "Chord progression sketches in D minor",
    "Automation pass on the second drop",
    "Gain staging and bus routing cleanup",
    "Write a topline for the hook",
    "Build a drum rack from field recordings",
    "Master bounce and loudness check",
    "Transition FX between verse and chorus",
    "Bassline variations for the last chorus",
)

#: Day-plan blocks ``(title, minutes, kind)``; ``kind`` as in ``seeds.planning``.
PLAN_BLOCKS: tuple[tuple[str, int, str], ...] = (
    ("Ear gym: 20 drill questions", 10, "learn"),
    ("Walk, no headphones", 15, "break"),
    ("Reference listening: one track, notes only", 20, "listen"),
    ("Read 10 pages", 15, "reading"),
    ("Desk-body reset workout", 25, "workout"),
    ("Reply to collaborators and upload stems", 20, "admin"),
    ("Lunch away from the desk", 45, "break"),
    ("Lesson: one module", 15, "learn"),
)

#: Ideas ``(title, content, category, tags)``.
IDEAS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Chopped vocal over half-time drums", "Take the acapella from the voice memo, chop on "
     "the offbeats, half-time drums at 170.", "track", ("vocals", "dnb")),
    ("Reverse reverb swell into every chorus", "Print the reverb of the first vocal word, "
     "reverse it, fade in over one bar.", "technique", ("fx", "transitions")),
    ("'Late Bus': Rhodes, tape wobble, 84 BPM", "Night-bus mood. Wurli or Rhodes through "
     "tape, soft kick, brushed snare.", "track", ("lofi", "keys")),
    ("Sample the kettle whistle", "Pitch it down an octave and granulate it into a lead.",
     "sound_design", ("foley", "granular")),
    ("Cello over a techno kick", "Long legato cello lines, ask Mira if she would record.",
     "collab", ("strings", "techno")),
    ("Train station drum rack", "Doors, announcements, footsteps as percussion.",
     "sound_design", ("field-recording", "drums")),
    ("7/8 groove for the B-section", "Keep the kick in 4, let the percussion run in 7.",
     "arrangement", ("rhythm",)),
    ("Resample the bass through a guitar amp", "Amp sim, then blend 30 percent back in.",
     "sound_design", ("bass", "resampling")),
    ("Slow the old demo to 100 BPM", "The 2021 demo might work as a downtempo remix.",
     "remix", ("remix", "downtempo")),
    ("Title: 'Concrete Gardens'", "For the EP closer. Ambient intro, four-to-the-floor later.",
     "title", ("ep", "titles")),
)  # fmt: skip

#: Inbox items ``(title, description, tags)``.
INBOX: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("Email the mastering engineer about the EP timeline", None, ("ep", "admin")),
    ("Back up the projects drive", "The external SSD is almost full.", ("backup",)),
    ("Renew the sample subscription?", "Check how many credits are left first.", ("money",)),
    ("Update plugins before Thursday's session", None, ("studio",)),
    ("Send stems to Sam for the remix", "Drums, bass, music, vox; 24-bit 48 kHz.",
     ("collab", "stems")),
    ("Register the new tracks with my PRO", None, ("release", "admin")),
    ("Clear the sample used in 'Late Bus'", "Find the original record and the label.",
     ("samples", "legal")),
    ("Order new headphone ear pads", None, ("gear",)),
    ("Voice memo: hummed melody from the train", "Transcribe it before I forget the rhythm.",
     ("idea", "melody")),
)  # fmt: skip

#: Reference-library entries ``(title, url, category, content, tags)``.
REFERENCES: tuple[tuple[str, str | None, str, str | None, tuple[str, ...]], ...] = (
    ("Loudness penalty checker", "https://www.loudnesspenalty.com/", "mastering",
     "How much each platform turns a master down.", ("loudness", "streaming")),
    ("Mix Rescue archive", "https://www.soundonsound.com/techniques/mix-rescue", "mixing",
     "Before/after mixes with explanations.", ("mixing", "learning")),
    ("Ableton manual: warping", "https://www.ableton.com/en/manual/audio-clips-tempo-and-warping/",
     "workflow", None, ("ableton", "warping")),
    ("My mix checklist", None, "mixing",
     "1. Gain stage. 2. Balance at low volume. 3. Mono check. 4. References at matched "
     "loudness. 5. Bounce, sleep, re-listen.", ("checklist",)),
    ("Vocal chain notes", None, "mixing",
     "Subtractive EQ, 1176-style fast compression, de-esser, LA-2A-style leveling, sends.",
     ("vocals", "chains")),
    ("Release-week checklist", None, "release",
     "Masters, artwork 3000x3000, ISRCs, lyrics, pre-save link, stems archived.",
     ("release", "checklist")),
)  # fmt: skip

#: Feedback ``(feedback_type, title, description, status)``.
FEEDBACK: tuple[tuple[str, str, str, str], ...] = (
    ("bug", "Focus timer drifts when the tab is in the background",
     "After 50 minutes in another tab the timer was about 40 seconds behind.", "in_progress"),
    ("feature", "Export habit history as CSV", "I track streaks in a spreadsheet as well.",
     "open"),
    ("praise", "The ear gym drills are great", "Interval drills with reference songs finally "
     "made fourths and fifths stick.", "closed"),
    ("bug", "Reference track waveform loads slowly", "A 7-minute WAV took a long time to "
     "show the waveform.", "resolved"),
    ("feature", "Link a focus session to a reference track", "So I can see which reference "
     "I used while mixing.", "open"),
)  # fmt: skip

#: The user's private infobase entry ``(title, content, category, tags)``.
INFOBASE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("My template project setup",
     "- Drum bus: glue compressor 2:1, 10 ms attack\n- Music bus with a gentle tilt EQ\n"
     "- Two return tracks: short room and long plate\n- Reference track on a separate output",
     "workflow", ("template", "routing")),
    ("Kick and bass checklist",
     "1. Pick the kick first. 2. Tune the kick to the key. 3. Short bass notes between kicks "
     "or sidechain. 4. Mono below 120 Hz. 5. Check on small speakers.",
     "mixing", ("low-end", "checklist")),
    ("Vocal recording notes",
     "Pop filter 10 cm, mic at mouth height, record at -12 dBFS peaks, one dry and one "
     "doubled take of every chorus.", "recording", ("vocals",)),
)  # fmt: skip

#: The user's private plan template ``(name, description, category, blocks)``.
PLAN_TEMPLATES: tuple[tuple[str, str, str, tuple[tuple[str, int, str], ...]], ...] = (
    ("My release-week day", "Finishing mode: no new ideas, only decisions.", "release",
     (("Master bounce and loudness check", 50, "focus"), ("Walk, no headphones", 15, "break"),
      ("Artwork and metadata", 30, "admin"), ("Final listen on three systems", 40, "listen"))),
    ("Sketch day", "Quantity over quality: five 8-bar ideas.", "creative",
     (("Ear gym: 10 questions", 10, "learn"), ("Five 8-bar ideas, 15 minutes each", 75,
       "focus"), ("Lunch away from the desk", 45, "break"), ("Pick one and extend it", 50,
       "focus"))),
)  # fmt: skip

#: Calendar meetings and appointments ``(title, event_type, location, minutes)``.
MEETINGS: tuple[tuple[str, str, str | None, int], ...] = (
    ("Mix feedback call with Sam", "meeting", "Video call", 45),
    ("Mastering session review", "appointment", "Northside Mastering", 90),
    ("Label A&R call", "meeting", "Video call", 30),
    ("Co-write with Mira", "meeting", "Studio B", 180),
    ("Hearing check-up", "appointment", "City audiology clinic", 30),
)

#: User quests ``(title, description, category, difficulty)``; the reward follows from the
#: difficulty (db.quests.rules.user_quest_reward), as for quests made with createQuest.
USER_QUESTS: tuple[tuple[str, str, str, str], ...] = (
    ("Finish the EP intro", "Arrangement done and bounced, no more tweaks.", "creativity",
     "medium"),
    ("Sound design sprint: 10 bass patches", "From init patches only; save them all.",
     "creativity", "hard"),
    ("Daily 8-bar sketch", "One 8-bar idea a day, bounced to the sketches folder.",
     "discipline", "easy"),
    ("Learn the wavetable editor", "Build one wavetable from a field recording.", "knowledge",
     "medium"),
    ("Clean up the sample library", "Delete duplicates, tag the keepers.", "discipline",
     "starter"),
)  # fmt: skip

#: The custom exercise of a user ``(name, category, muscles, equipment, description)``.
CUSTOM_EXERCISES: tuple[tuple[str, str, tuple[str, ...], str | None, str], ...] = (
    ("Fader-Hand Wrist Circles", "wrist_and_hand", ("forearms",), None,
     "Slow wrist circles with the mixing hand between takes, 10 each way."),
    ("Pad Tapping Finger Warm-Up", "wrist_and_hand", ("forearms",), None,
     "Tap a 16-step pattern on the drum pads with each finger, slowly, before a session."),
    ("Studio Chair Hip Opener", "mobility", ("glutes", "abductors"), None,
     "Ankle over the knee in the studio chair, lean forward for 30 seconds per side."),
    ("Monitor-Break Neck Reset", "posture", ("neck", "traps"), None,
     "Look away from the screen, chin tucks and slow rotations, 1 minute."),
)  # fmt: skip

#: Workout templates ``(name, description, estimated minutes, sections)``; each section is
#: ``(name, exercises)`` and each exercise ``(built-in exercise name, sets, reps, weight kg,
#: duration seconds, rest seconds)``. ``"*custom*"`` stands for the user's own exercise.
WORKOUTS: tuple[tuple[str, str, int, tuple[tuple[str, tuple[Any, ...]], ...]], ...] = (
    ("Strength A", "Full-body strength for long studio days.", 45, (
        ("Warm-up", (("90/90 Hip Switch", 1, 10, None, None, 30),
                     ("Scapular Push-Up", 2, 12, None, None, 30))),
        ("Main", (("Dumbbell Goblet Squat", 3, 10, 20.0, None, 90),
                  ("Neutral-Grip Dumbbell Floor Press", 3, 10, 16.0, None, 90),
                  ("Single-Arm Dumbbell Bench Row", 3, 10, 18.0, None, 60),
                  ("Dumbbell Hip Hinge Deadlift", 3, 8, 24.0, None, 90))),
        ("Core", (("Forearm Plank", 3, None, None, 45, 45),
                  ("Supine Dead Bug", 2, 12, None, None, 45))),
    )),
    ("Strength B", "Single-leg work, pressing and a finisher.", 45, (
        ("Warm-up", (("Cat-Cow", 1, 10, None, None, 20),
                     ("Spiderman Lunge with Reach", 1, 6, None, None, 30))),
        ("Main", (("Rear-Foot-Elevated Split Squat", 3, 8, 12.0, None, 90),
                  ("Standing Dumbbell Shoulder Press", 3, 10, 12.0, None, 90),
                  ("Table Inverted Row", 3, 10, None, None, 60),
                  ("Two-Hand Kettlebell Swing", 3, 15, 16.0, None, 60))),
        ("Core", (("Hollow Body Hold", 3, None, None, 30, 45),)),
    )),
    ("Desk-body reset", "Wrists, neck and upper back after a long session.", 20, (
        ("Warm-up", (("*custom*", 1, 10, None, None, 15),
                     ("Wrist and Ankle Joint Warm-Up Circuit", 1, None, None, 120, 15))),
        ("Main", (("Wall Angels", 2, 10, None, None, 30),
                  ("Desk Break Band Pull-Apart", 2, 15, None, None, 30),
                  ("Seated Chin Tuck", 2, 10, None, None, 20),
                  ("Doorway Pec Stretch", 2, None, None, 30, 15))),
        ("Cool-down", (("Tendon Glide Sequence", 1, 5, None, None, 15),
                       ("Prayer Stretch at the Desk", 1, None, None, 30, 0))),
    )),
    ("Zone 2 and mobility", "Easy cardio, then hips and thoracic spine.", 40, (
        ("Cardio", (("Zone 2 Stationary Bike Ride", 1, None, None, 1500, 60),)),
        ("Mobility", (("Thread the Needle", 2, 8, None, None, 20),
                      ("Deep Squat Hold", 2, None, None, 45, 30),
                      ("Half-Kneeling Hip Flexor Stretch", 2, None, None, 40, 15))),
    )),
)  # fmt: skip

WORKOUT_NOTES: tuple[str | None, ...] = (
    "Felt strong, added weight on the squat.",
    "Short on time, kept the rest periods tight.",
    "Wrists a bit sore after the mixing marathon.",
    None,
    None,
    "Great energy after the morning session.",
)

#: Answers to the choice/preference onboarding steps, by the step's ``action_config.key`` or
#: ``group``: DAW values, focus lengths (minutes).
DAWS: tuple[str, ...] = ("ableton_live", "fl_studio", "logic_pro", "bitwig", "reaper")
FOCUS_LENGTHS: tuple[int, ...] = (25, 50, 50, 90)

#: OAuth providers of the linked accounts.
PROVIDERS: tuple[str, ...] = ("google", "github", "discord")

#: Browsers of the sessions.
USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
