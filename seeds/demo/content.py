"""What the demo producers write: habits, goals, books, reference tracks, notes, ideas and the
rest, that :mod:`seeds.demo.builder` samples from. The content is data:
``seeds/data/demo/content.json``, one entry per constant below (lower case), each validated on
import against the constant's type (:func:`seeds.load.load_constant`).

Everything here is invented for the demo (artists, tracks and people are fictional; the books
are real titles about production, creativity and focus). Shapes are documented per constant.
"""

from __future__ import annotations

from typing import TypeVar

from seeds.load import load_constant, read_json

_FILE = "demo/content.json"
_DATA = read_json(_FILE)

_T = TypeVar("_T")


def _load(name: str, kind: type[_T]) -> _T:
    """The entry ``name`` of ``seeds/data/demo/content.json``, validated as ``kind``."""
    return load_constant(_FILE, _DATA, name, kind)


#: One exercise of a workout section ``(built-in exercise name, sets, reps, weight kg, duration
#: seconds, rest seconds)``.
Exercise = tuple[str, int, int | None, float | None, int | None, int]


Habits = tuple[tuple[str, str, str, str, float, float], ...]
#: Habits ``(name, description, icon, color, hour of day it is usually done, reliability)``;
#: reliability is the chance of doing it on a day after a day it was done (0-1).
HABITS: Habits = _load("habits", Habits)

Goals = tuple[tuple[str, str, str, tuple[str, ...]], ...]
#: Goals ``(title, description, category, milestones)``.
GOALS: Goals = _load("goals", Goals)

Books = tuple[tuple[str, str, int], ...]
#: Books ``(title, author, pages)``.
BOOKS: Books = _load("books", Books)

ShortBooks = tuple[int, ...]
#: Short books a demo producer can finish within the month (indexes into :data:`BOOKS`).
SHORT_BOOKS: ShortBooks = _load("short_books", ShortBooks)

BookNotes = tuple[str, ...]
BOOK_NOTES: BookNotes = _load("book_notes", BookNotes)

ReferenceTracks = tuple[tuple[str, str, str, str, float, str, float, tuple[str, ...]], ...]
#: Reference tracks ``(name, artist, album, genre, bpm, key, duration seconds, tags)``; the
#: artists are fictional.
REFERENCE_TRACKS: ReferenceTracks = _load("reference_tracks", ReferenceTracks)

Annotations = tuple[tuple[str, str, str], ...]
#: Annotations ``(title, content, category)`` on reference tracks.
ANNOTATIONS: Annotations = _load("annotations", Annotations)

Structures = dict[str, tuple[tuple[str, str, int], ...]]
#: Song structure ``(section_type, name, bars)`` per genre family; regions follow it until the
#: track ends.
STRUCTURES: Structures = _load("structures", Structures)

GenreStructure = dict[str, str]
#: Genre -> structure family of :data:`STRUCTURES`.
GENRE_STRUCTURE: GenreStructure = _load("genre_structure", GenreStructure)

SectionColors = dict[str, str]
#: Section type -> region color.
SECTION_COLORS: SectionColors = _load("section_colors", SectionColors)

AmbientTracks = tuple[tuple[str, str, int], ...]
#: Focus tracks with no reference track behind them ``(title, url, duration seconds)``.
AMBIENT_TRACKS: AmbientTracks = _load("ambient_tracks", AmbientTracks)

FocusTasks = tuple[str, ...]
#: What a focus session is about (``focus_sessions.task_title`` and plan items).
FOCUS_TASKS: FocusTasks = _load("focus_tasks", FocusTasks)

PlanBlocks = tuple[tuple[str, int, str], ...]
#: Day-plan blocks ``(title, minutes, kind)``; ``kind`` as in ``seeds.planning``.
PLAN_BLOCKS: PlanBlocks = _load("plan_blocks", PlanBlocks)

Ideas = tuple[tuple[str, str, str, tuple[str, ...]], ...]
#: Ideas ``(title, content, category, tags)``.
IDEAS: Ideas = _load("ideas", Ideas)

Inbox = tuple[tuple[str, str | None, tuple[str, ...]], ...]
#: Inbox items ``(title, description, tags)``.
INBOX: Inbox = _load("inbox", Inbox)

References = tuple[tuple[str, str | None, str, str | None, tuple[str, ...]], ...]
#: Reference-library entries ``(title, url, category, content, tags)``.
REFERENCES: References = _load("references", References)

Feedback = tuple[tuple[str, str, str, str], ...]
#: Feedback ``(feedback_type, title, description, status)``.
FEEDBACK: Feedback = _load("feedback", Feedback)

Infobase = tuple[tuple[str, str, str, tuple[str, ...]], ...]
#: The user's private infobase entry ``(title, content, category, tags)``.
INFOBASE: Infobase = _load("infobase", Infobase)

PlanTemplates = tuple[tuple[str, str, str, tuple[tuple[str, int, str], ...]], ...]
#: The user's private plan template ``(name, description, category, blocks)``.
PLAN_TEMPLATES: PlanTemplates = _load("plan_templates", PlanTemplates)

Meetings = tuple[tuple[str, str, str | None, int], ...]
#: Calendar meetings and appointments ``(title, event_type, location, minutes)``.
MEETINGS: Meetings = _load("meetings", Meetings)

UserQuests = tuple[tuple[str, str, str, str], ...]
#: User quests ``(title, description, category, difficulty)``; the reward follows from the
#: difficulty (db.quests.rules.user_quest_reward), as for quests made with createQuest.
USER_QUESTS: UserQuests = _load("user_quests", UserQuests)

CustomExercises = tuple[tuple[str, str, tuple[str, ...], str | None, str], ...]
#: The custom exercise of a user ``(name, category, muscles, equipment, description)``.
CUSTOM_EXERCISES: CustomExercises = _load("custom_exercises", CustomExercises)

Workouts = tuple[tuple[str, str, int, tuple[tuple[str, tuple[Exercise, ...]], ...]], ...]
#: Workout templates ``(name, description, estimated minutes, sections)``; each section is
#: ``(name, exercises)`` and each exercise ``(built-in exercise name, sets, reps, weight kg,
#: duration seconds, rest seconds)``. ``"*custom*"`` stands for the user's own exercise.
WORKOUTS: Workouts = _load("workouts", Workouts)

WorkoutNotes = tuple[str | None, ...]
WORKOUT_NOTES: WorkoutNotes = _load("workout_notes", WorkoutNotes)

Daws = tuple[str, ...]
#: Answers to the choice/preference onboarding steps, by the step's ``action_config.key`` or
#: ``group``: DAW values, focus lengths (minutes).
DAWS: Daws = _load("daws", Daws)

FocusLengths = tuple[int, ...]
FOCUS_LENGTHS: FocusLengths = _load("focus_lengths", FocusLengths)

Providers = tuple[str, ...]
#: OAuth providers of the linked accounts.
PROVIDERS: Providers = _load("providers", Providers)

UserAgents = tuple[str, ...]
#: Browsers of the sessions.
USER_AGENTS: UserAgents = _load("user_agents", UserAgents)
