"""The catalog walk: every seeded universal quest and every seeded achievement definition is
reachable by a new user through the API's mutations alone.

For each row of ``universal_quests`` a new user accepts the quest (``acceptQuest``), does what
its ``target_type`` counts (:data:`QUEST_DRIVERS`) and claims it (``claimQuestReward``): the
quest's XP and coins are in the ledger. For each row of ``achievement_definitions`` a new user
does what its ``trigger_type`` counts (:data:`ACHIEVEMENT_DRIVERS`) until the threshold, and then
reads the achievement among their own (``me.achievements``), its reward in the ledger.

A driver performs the mutations that produce the units, in as few calls as the input bounds
allow (a drill round of up to 1,000 questions, a 240-minute focus session, one reading session
for all the pages, ...). A row whose unit no driver produces fails its test, naming the row.

Time is the only thing simulated, the way ``tests/focus/test_focus.py`` does it: a focus
session is moved into the past before it is completed (so a 240-minute session takes no four
hours), and a habit with its completions is moved a week back (a completion can be dated at
most 7 days back and not before the habit existed, so a 30-day streak needs 30 days to pass).
Everything that counts is written by the mutations; the SQL here only reads, or moves time.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.focus.rules import MAX_DURATION_SECONDS
from db.gamification.achievements import achievement_ledger_key, threshold_of, trigger_values
from db.gamification.models import AchievementTriggerType
from db.habits.rules import MAX_BACKDATE_DAYS
from db.learn.rules import MAX_ROUND_QUESTIONS
from db.quests.models import QuestTargetType
from db.quests.rules import period_start
from seeds.gamification import ACHIEVEMENTS
from seeds.quests import QUESTS
from tests.focus.test_focus import travel
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user

#: The longest focus session the input allows, in minutes.
MAX_SESSION_MINUTES = MAX_DURATION_SECONDS // 60


# --------------------------------------------------------------------------------------------
# The walker: one new user calling mutations
# --------------------------------------------------------------------------------------------


def operation(name: str, params: Mapping[str, str], selection: str) -> str:
    """A mutation document calling ``name`` with ``params`` (argument -> GraphQL type),
    selecting ``selection`` on its success type and the code of a domain error."""
    declared = ", ".join(f"${k}: {t}" for k, t in params.items())
    arguments = ", ".join(f"{k}: ${k}" for k in params)
    success = name[0].upper() + name[1:] + "Success"
    return (
        f"mutation Walk({declared}) {{ {name}({arguments}) {{ __typename "
        f"... on {success} {{ __typename {selection} }} "
        f"... on DomainError {{ code message }} }} }}"
    )


@dataclass
class Walker:
    """A new user walking towards one catalog row: runs mutations as that user and counts
    them by name (``calls``)."""

    mutate: Mutate
    engine: AsyncEngine
    user: Any
    calls: Counter[str] = field(default_factory=Counter)
    keys: int = 0

    def key(self) -> str:
        """A fresh idempotency key."""
        self.keys += 1
        return f"walk-{self.keys}"

    async def call(
        self,
        name: str,
        params: Mapping[str, str],
        variables: Mapping[str, Any],
        selection: str = "",
    ) -> dict[str, Any]:
        """Run mutation ``name``; it must succeed. Returns its payload."""
        result = await self.mutate(
            operation(name, params, selection), dict(variables), viewer=self.user
        )
        assert result.errors == [], (name, result.errors)
        payload: dict[str, Any] = result.data[name]
        assert payload["__typename"].endswith("Success"), (name, variables, payload)
        self.calls[name] += 1
        return payload

    async def read(self, sql: str, **params: Any) -> list[Any]:
        """Rows of a read-only statement (``:user`` is bound to the walker's user id)."""
        async with self.engine.connect() as conn:
            result = await conn.execute(sa.text(sql), {"user": self.user.user_id, **params})
            return list(result.all())

    async def value(self, trigger: str) -> int:
        """The user's running value of an achievement trigger (the rule's own SQL)."""
        async with self.engine.connect() as conn:
            return (await trigger_values(conn, self.user.user_id, [trigger]))[trigger]

    async def move_back(self, sql: str, **params: Any) -> None:
        """Simulate time passing: a statement that only moves the user's timestamps back."""
        async with self.engine.begin() as conn:
            await conn.execute(sa.text(sql), {"user": self.user.user_id, **params})


def today() -> date:
    """Today, UTC (the day the transitions count in)."""
    return datetime.now(UTC).date()


# --------------------------------------------------------------------------------------------
# Drivers: the mutations that produce each unit
# --------------------------------------------------------------------------------------------


async def focus_session(w: Walker, minutes: int, mode: str = "focus") -> None:
    """``startFocusSession`` of ``minutes``, moved ``minutes`` into the past, then
    ``completeFocusSession``: ``minutes`` whole minutes focused."""
    started = await w.call(
        "startFocusSession",
        {"input": "StartFocusSessionInput!"},
        {"input": {"mode": mode.upper(), "durationSeconds": minutes * 60}},
        "session { id }",
    )
    session_id = str(started["session"]["id"])
    await travel(w.engine, session_id, minutes)
    await w.call(
        "completeFocusSession",
        {"id": "ID!", "idempotencyKey": "String!"},
        {"id": session_id, "idempotencyKey": w.key()},
    )


async def focus_minutes(w: Walker, minutes: int, mode: str = "focus") -> None:
    """``minutes`` minutes of completed sessions of ``mode``, in sessions as long as allowed."""
    while minutes > 0:
        length = max(1, min(minutes, MAX_SESSION_MINUTES))
        await focus_session(w, length, mode)
        minutes -= length


async def habits_done(w: Walker, count: int, days: list[date]) -> None:
    """``count`` habit completions (``createHabit``, ``completeHabit``) on the ``days`` given
    (each at most :data:`MAX_BACKDATE_DAYS` back): as many daily habits as it takes, each done
    on every day. The habits are created today and moved back to the first day (time)."""
    habits = math.ceil(count / len(days))
    done = 0
    for n in range(habits):
        habit_id = await new_habit(w, f"Walk habit {n}", created=min(days))
        for day in days:
            if done == count:
                return
            await complete_habit(w, habit_id, day)
            done += 1


async def new_habit(w: Walker, name: str, created: date) -> str:
    """A daily habit (``createHabit``) that has existed since ``created`` (time moved)."""
    payload = await w.call(
        "createHabit",
        {"input": "CreateHabitInput!"},
        {"input": {"name": name, "frequency": "DAILY"}},
        "habit { id }",
    )
    habit_id = str(payload["habit"]["id"])
    await w.move_back(
        "UPDATE habits SET created_at = least(created_at, CAST(:day AS date)) "
        "WHERE id = :h AND user_id = :user",
        h=uuid.UUID(habit_id),
        day=created,
    )
    return habit_id


async def complete_habit(w: Walker, habit_id: str, day: date) -> None:
    """``completeHabit`` for ``day``."""
    await w.call(
        "completeHabit",
        {"habitId": "ID!", "idempotencyKey": "String!", "date": "Date"},
        {"habitId": habit_id, "idempotencyKey": w.key(), "date": day.isoformat()},
    )


def backdatable_days(since: date | None = None) -> list[date]:
    """The days a completion may be dated today: the last :data:`MAX_BACKDATE_DAYS` days and
    today, from ``since`` on."""
    first = today() - timedelta(days=MAX_BACKDATE_DAYS)
    if since is not None:
        first = max(first, since)
    return [first + timedelta(days=n) for n in range((today() - first).days + 1)]


#: Days further than any streak run spans (the first step of moving completions back).
_FAR = 10_000


async def streak(w: Walker, days: int) -> None:
    """A run of ``days`` consecutive days of habit completions: one habit done on every day
    a completion may be dated; while the run is too short, the habit and its completions move
    :data:`MAX_BACKDATE_DAYS` + 1 days back (time passes) and the next days are done."""
    window = backdatable_days()
    habit_id = await new_habit(w, "Walk streak", created=window[0])
    run = 0
    while True:
        for day in window:
            await complete_habit(w, habit_id, day)
        run += len(window)
        if run >= days:
            return
        # Two steps: (habit_id, completed_date) is unique and checked row by row, so one
        # shift by n could meet a row that has not moved yet. Far away first (further than
        # the run spans), then back to n days before where each started.
        for shift in (len(window) + _FAR, -_FAR):
            await w.move_back(
                "UPDATE habit_completions SET completed_date = completed_date - CAST(:n AS int), "
                "completed_at = completed_at - make_interval(days => CAST(:n AS int)) "
                "WHERE habit_id = :h AND user_id = :user",
                h=uuid.UUID(habit_id),
                n=shift,
            )
        await w.move_back(
            "UPDATE habits SET created_at = created_at - make_interval(days => CAST(:n AS int)) "
            "WHERE id = :h AND user_id = :user",
            h=uuid.UUID(habit_id),
            n=len(window),
        )


async def lessons(w: Walker, count: int) -> None:
    """``count`` first completions of distinct lessons (``startLesson``, ``completeLesson``)."""
    rows = await w.read("SELECT id FROM learn_lessons ORDER BY sort_order, id LIMIT :n", n=count)
    assert len(rows) == count, f"the catalog has {len(rows)} lessons, {count} are needed"
    for (lesson_id,) in rows:
        await w.call("startLesson", {"lessonId": "ID!"}, {"lessonId": str(lesson_id)})
        await w.call(
            "completeLesson",
            {"input": "CompleteLessonInput!"},
            {"input": {"lessonId": str(lesson_id), "quizScore": 90, "idempotencyKey": w.key()}},
        )


async def drill_attempts(w: Walker, count: int) -> None:
    """``count`` drill questions answered, in rounds (``recordDrillAttempt``) of up to
    :data:`MAX_ROUND_QUESTIONS` questions."""
    ((drill_id,),) = await w.read("SELECT id FROM learn_drills ORDER BY id LIMIT 1")
    while count > 0:
        total = min(count, MAX_ROUND_QUESTIONS)
        await w.call(
            "recordDrillAttempt",
            {"input": "RecordDrillAttemptInput!"},
            {
                "input": {
                    "drillId": str(drill_id),
                    "correct": total,
                    "total": total,
                    "durationSeconds": 600,
                    "idempotencyKey": w.key(),
                }
            },
        )
        count -= total


async def workouts(w: Walker, count: int, config: Mapping[str, Any]) -> None:
    """``count`` finished workout sessions (``startWorkoutSession`` free, ``logExerciseSet``
    working sets, at least the quest's ``min_sets``, ``finishWorkoutSession``)."""
    ((exercise_id,),) = await w.read(
        "SELECT id FROM exercises WHERE user_id IS NULL ORDER BY name LIMIT 1"
    )
    for _ in range(count):
        started = await w.call(
            "startWorkoutSession",
            {"input": "StartWorkoutSessionInput!"},
            {"input": {}},
            "session { id }",
        )
        session_id = str(started["session"]["id"])
        for _ in range(max(1, int(config.get("min_sets", 1)))):
            await w.call(
                "logExerciseSet",
                {"input": "LogExerciseSetInput!"},
                {
                    "input": {
                        "sessionId": session_id,
                        "exerciseId": str(exercise_id),
                        "reps": 8,
                        "weight": 40.0,
                    }
                },
            )
        await w.call(
            "finishWorkoutSession",
            {"id": "ID!", "idempotencyKey": "String!"},
            {"id": session_id, "idempotencyKey": w.key()},
        )


async def new_book(w: Walker, pages: int) -> str:
    """A book of ``pages`` pages on the shelf (``createBook``)."""
    payload = await w.call(
        "createBook",
        {"input": "CreateBookInput!"},
        {"input": {"title": "Walk book", "author": "A. Writer", "totalPages": pages}},
        "book { id }",
    )
    return str(payload["book"]["id"])


async def pages_read(w: Walker, count: int) -> None:
    """``count`` pages read in one reading session (``logReadingSession``)."""
    book_id = await new_book(w, count)
    await w.call(
        "logReadingSession",
        {"input": "LogReadingSessionInput!"},
        {
            "input": {
                "bookId": book_id,
                "pagesRead": count,
                "durationMinutes": 30,
                "idempotencyKey": w.key(),
            }
        },
    )


async def books_finished(w: Walker, count: int) -> None:
    """``count`` books finished (``createBook``, ``finishBook``: the book is read up to its
    last page)."""
    for _ in range(count):
        book_id = await new_book(w, 1)
        await w.call(
            "finishBook",
            {"id": "ID!", "idempotencyKey": "String!"},
            {"id": book_id, "idempotencyKey": w.key()},
        )


async def milestones(w: Walker, count: int) -> None:
    """``count`` goal milestones completed (``createGoal``, ``addGoalMilestone``,
    ``completeGoalMilestone``)."""
    goal = await w.call(
        "createGoal",
        {"input": "CreateGoalInput!"},
        {"input": {"title": "Finish the EP"}},
        "goal { id }",
    )
    for n in range(count):
        added = await w.call(
            "addGoalMilestone",
            {"goalId": "ID!", "input": "AddGoalMilestoneInput!"},
            {"goalId": goal["goal"]["id"], "input": {"title": f"Track {n + 1} mixed"}},
            "milestone { id }",
        )
        await w.call(
            "completeGoalMilestone",
            {"id": "ID!", "idempotencyKey": "String!"},
            {"id": added["milestone"]["id"], "idempotencyKey": w.key()},
        )


async def plan_items(w: Walker, count: int) -> None:
    """``count`` items of today's plan checked off (``setDailyPlan``, ``completePlanItem``)."""
    day = today().isoformat()
    items = [{"id": f"item-{n}", "title": f"Task {n}"} for n in range(count)]
    await w.call(
        "setDailyPlan", {"input": "SetDailyPlanInput!"}, {"input": {"date": day, "items": items}}
    )
    for item in items:
        await w.call(
            "completePlanItem",
            {"input": "CompletePlanItemInput!"},
            {"input": {"date": day, "itemId": item["id"], "idempotencyKey": w.key()}},
        )


async def own_quests(w: Walker, count: int) -> None:
    """``count`` quests of the user's own completed (``createQuest``, ``completeQuest``)."""
    for n in range(count):
        created = await w.call(
            "createQuest",
            {"input": "CreateQuestInput!"},
            {"input": {"title": f"Walk quest {n}", "category": "walk"}},
            "quest { id }",
        )
        await w.call(
            "completeQuest",
            {"id": "ID!", "idempotencyKey": "String!"},
            {"id": created["quest"]["id"], "idempotencyKey": w.key()},
        )


async def purchases(w: Walker, count: int) -> None:
    """``count`` market purchases (``purchaseMarketItem`` of the cheapest item), the coins
    earned first with focus sessions."""
    ((item_id, cost),) = await w.read(
        "SELECT id, cost_coins FROM market_items WHERE is_active AND is_available AND is_global "
        "AND (remaining_stock IS NULL OR remaining_stock >= :n) "
        # Everyone's, on sale now (other tests leave users' own items and staff items with
        # future availability windows behind).
        "AND (available_from IS NULL OR available_from <= now()) "
        "AND (available_until IS NULL OR available_until > now()) "
        "ORDER BY cost_coins, key LIMIT 1",
        n=count,
    )
    while (await w.read("SELECT coins FROM user_wallet WHERE user_id = :user"))[0][
        0
    ] < cost * count:
        await focus_session(w, MAX_SESSION_MINUTES)
    for _ in range(count):
        await w.call(
            "purchaseMarketItem",
            {"input": "PurchaseMarketItemInput!"},
            {"input": {"itemId": str(item_id), "quantity": 1, "idempotencyKey": w.key()}},
        )


async def earn_until(w: Walker, trigger: str, threshold: int) -> None:
    """Focus sessions as long as allowed (the most XP and coins one call of a user pays:
    ``db/focus/rules.py``) until the user's ``trigger`` (level, coins earned) reaches
    ``threshold``; no admin grant is needed."""
    while await w.value(trigger) < threshold:
        await focus_session(w, MAX_SESSION_MINUTES)


def quest_days(quest_type: str) -> list[date]:
    """The days a completion may be dated that fall in the current period of a quest of
    ``quest_type`` (a special quest has one period)."""
    start = period_start(quest_type, datetime.now(UTC))
    return backdatable_days(start.date() if start else None)


QuestDriver = Callable[[Walker, int, Mapping[str, Any], str], Awaitable[None]]
AchievementDriver = Callable[[Walker, int], Awaitable[None]]

Q = QuestTargetType
#: target_type -> the driver producing ``target`` units that the quest's ``target_config``
#: accepts, within the quest's current period.
QUEST_DRIVERS: dict[str, QuestDriver] = {
    Q.FOCUS_SESSIONS_COMPLETED: lambda w, n, config, _: _focus_sessions(w, n, config),
    Q.FOCUS_MINUTES: lambda w, n, config, _: focus_minutes(w, n, config.get("mode", "focus")),
    Q.HABIT_COMPLETIONS: lambda w, n, _, kind: habits_done(w, n, quest_days(kind)),
    Q.MILESTONES_COMPLETED: lambda w, n, _, __: milestones(w, n),
    Q.PLAN_ITEMS_COMPLETED: lambda w, n, _, __: plan_items(w, n),
    Q.LESSONS_COMPLETED: lambda w, n, _, __: lessons(w, n),
    Q.DRILL_ATTEMPTS: lambda w, n, _, __: drill_attempts(w, n),
    Q.WORKOUTS_COMPLETED: lambda w, n, config, _: workouts(w, n, config),
    Q.PAGES_READ: lambda w, n, _, __: pages_read(w, n),
}


async def _focus_sessions(w: Walker, count: int, config: Mapping[str, Any]) -> None:
    """``count`` sessions of the quest's mode, each as long as its ``min_minutes``."""
    for _ in range(count):
        await focus_session(
            w, max(1, int(config.get("min_minutes", 1))), config.get("mode", "focus")
        )


T = AchievementTriggerType
#: trigger_type -> the driver bringing the user's running value to the threshold.
ACHIEVEMENT_DRIVERS: dict[str, AchievementDriver] = {
    # A session counts from one whole focused minute (db/gamification/achievements.py).
    T.FOCUS_SESSIONS_COMPLETED: lambda w, n: _focus_sessions(w, n, {}),
    T.FOCUS_MINUTES_TOTAL: focus_minutes,
    T.STREAK_DAYS: streak,
    T.LEVEL_REACHED: lambda w, n: earn_until(w, T.LEVEL_REACHED, n),
    T.PURCHASES_MADE: purchases,
    T.HABIT_COMPLETIONS: lambda w, n: habits_done(w, n, backdatable_days()),
    T.QUESTS_COMPLETED: own_quests,
    T.LESSONS_COMPLETED: lessons,
    T.DRILL_ATTEMPTS: drill_attempts,
    T.WORKOUTS_COMPLETED: lambda w, n: workouts(w, n, {}),
    T.BOOKS_COMPLETED: books_finished,
    T.COINS_EARNED_TOTAL: lambda w, n: earn_until(w, T.COINS_EARNED_TOTAL, n),
}


# --------------------------------------------------------------------------------------------
# The walk
# --------------------------------------------------------------------------------------------


async def test_the_walk_covers_the_seeded_catalogs(engine: AsyncEngine) -> None:
    """The rows walked below are exactly the active rows of the seeded database."""
    async with engine.connect() as conn:
        titles = set(
            (
                await conn.execute(sa.text("SELECT title FROM universal_quests WHERE is_active"))
            ).scalars()
        )
        keys = set(
            (await conn.execute(sa.text("SELECT key FROM achievement_definitions"))).scalars()
        )
    assert titles == {q["title"] for q in QUESTS}
    assert keys == {a["key"] for a in ACHIEVEMENTS}


def test_every_unit_has_a_driver() -> None:
    """Every quest unit (but ``manual``, which no activity produces by definition) and every
    achievement trigger has a driver, so a new catalog row of any type can be walked."""
    assert set(QuestTargetType) - {QuestTargetType.MANUAL} == set(QUEST_DRIVERS)
    assert set(AchievementTriggerType) == set(ACHIEVEMENT_DRIVERS)


@pytest.mark.parametrize("title", [q["title"] for q in QUESTS])
async def test_a_new_user_reaches_and_claims_the_quest(
    title: str, mutate: Mutate, engine: AsyncEngine
) -> None:
    async with engine.connect() as conn:
        quest = (
            await conn.execute(
                sa.text("SELECT * FROM universal_quests WHERE title = :t"), {"t": title}
            )
        ).one()
    driver = QUEST_DRIVERS.get(str(quest.target_type))
    if driver is None:
        pytest.fail(
            f"universal quest {title!r}: no mutation produces its unit {quest.target_type!r}"
        )
    w = Walker(mutate, engine, await committed_user(engine))
    await w.call("acceptQuest", {"questId": "ID!"}, {"questId": str(quest.id)})
    await driver(w, int(quest.target), quest.target_config or {}, str(quest.type))
    await w.call(
        "claimQuestReward",
        {"questId": "ID!", "idempotencyKey": "String!"},
        {"questId": str(quest.id), "idempotencyKey": w.key()},
    )
    paid = await w.read(
        "SELECT coins, xp FROM points_ledger WHERE user_id = :user "
        "AND event_type = 'quest.claimed' AND event_id = :q",
        q=str(quest.id),
    )
    assert [tuple(r) for r in paid] == [(quest.coin_reward, quest.xp_reward)]
    print(f"quest {title!r} ({quest.target} {quest.target_type}): {dict(w.calls)}")


@pytest.mark.parametrize("key", [a["key"] for a in ACHIEVEMENTS])
async def test_a_new_user_unlocks_the_achievement(
    key: str, mutate: Mutate, engine: AsyncEngine
) -> None:
    async with engine.connect() as conn:
        definition = (
            await conn.execute(
                sa.text("SELECT * FROM achievement_definitions WHERE key = :k"), {"k": key}
            )
        ).one()
    driver = ACHIEVEMENT_DRIVERS.get(str(definition.trigger_type))
    if driver is None:
        pytest.fail(
            f"achievement {key!r}: no mutation produces its trigger {definition.trigger_type!r}"
        )
    threshold = threshold_of(str(definition.trigger_type), definition.trigger_config)
    assert threshold > 0, f"achievement {key!r}: no threshold in {definition.trigger_config}"
    w = Walker(mutate, engine, await committed_user(engine))
    await driver(w, int(threshold))
    seen = await mutate(
        "{ me { achievements(first: 100) { edges { node { achievementKey } } } } }",
        viewer=w.user,
    )
    assert seen.errors == [], seen.errors
    keys = {e["node"]["achievementKey"] for e in seen.data["me"]["achievements"]["edges"]}
    assert key in keys, (key, keys)
    paid = await w.read(
        "SELECT coins, xp FROM points_ledger WHERE user_id = :user AND idempotency_key = :k",
        k=achievement_ledger_key(key),
    )
    reward = (definition.reward_coins, definition.reward_xp)
    assert [tuple(r) for r in paid] == ([reward] if any(reward) else [])
    print(f"achievement {key!r} ({definition.trigger_type} {threshold}): {dict(w.calls)}")
