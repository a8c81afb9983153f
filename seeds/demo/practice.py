"""Practice away from the DAW: lessons and ear-training drills, books and reading
sessions, workouts with their sessions, sets, personal records and a training program.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from db.books.rules import (
    FINISH_EVENT,
    SESSION_EVENT,
    finish_ledger_key,
    finish_reward,
    session_ledger_key,
    session_reward,
)
from db.fitness.rules import set_measures, workout_award, workout_ledger_key
from db.learn import rules as learn_rules
from seeds.demo import content as c
from seeds.demo.ledger import Transition
from seeds.demo.state import (
    Row,
    UserState,
    new_id,
)


class Practice(UserState):
    """Learn progress, reading and fitness of a demo user."""

    # ---------------------------------------------------------------- learn

    def learn(self) -> None:
        rng = self.rng
        lessons = self.cat.lessons
        count = min(len(lessons), 5 if self.showcase else rng.randint(3, 6))
        lesson_days = sorted((self.day(1, self.days) for _ in range(count)), reverse=True)
        for n, lesson in enumerate(lessons[:count]):
            when = self.at(lesson_days[n], rng.uniform(8, 22))
            done = n < count - 1
            score = rng.choice((60, 70, 80, 80, 90, 100)) if done else None
            started = when - timedelta(minutes=lesson.duration_minutes + rng.randint(1, 20))
            # Opened once; a completion with a weak score was retaken once more.
            attempts = learn_rules.lesson_attempts(0, "not_started", opening=True)
            if done:
                attempts = learn_rules.lesson_attempts(attempts, "in_progress", opening=False)
                if score is not None and score < 70:
                    attempts = learn_rules.lesson_attempts(attempts, "completed", opening=False)
            self.add(
                "user_lesson_progress",
                {
                    "user_id": self.uid,
                    "lesson_id": lesson.id,
                    "status": "completed" if done else "in_progress",
                    "started_at": started,
                    "completed_at": when if done else None,
                    "quiz_score": score,
                    "attempts": attempts,
                },
            )
            if done:
                award = learn_rules.lesson_award(
                    first=True,
                    xp_reward=lesson.xp_reward,
                    coin_reward=lesson.coin_reward,
                    skill_star_reward=lesson.skill_star_reward,
                    skill_key=lesson.skill_key,
                )
                self.unit("lessons_completed", when)
                self.record(
                    Transition(
                        at=when,
                        activity="lesson.completed",
                        category="learn",
                        metadata={
                            "lesson_id": str(lesson.id),
                            "lesson_key": lesson.key,
                            "title": lesson.title,
                            "quiz_score": score,
                            "first": True,
                        },
                        idempotency_key=learn_rules.lesson_ledger_key(lesson.id),
                        event_id=str(lesson.id),
                        reason=f"Lesson: {lesson.title}",
                        xp=award.xp,
                        coins=award.coins,
                        stars=award.stars,
                        skill_key=award.skill_key,
                        counts={"lessons_completed": 1},
                    )
                )
        drills = rng.sample(self.cat.drills, k=min(len(self.cat.drills), rng.randint(3, 5)))
        for drill in drills:
            accuracy = rng.uniform(0.55, 0.95)
            sessions = sorted(
                self.at(self.day(1, self.days), rng.uniform(8, 23))
                for _ in range(rng.randint(1, 4))
            )
            stats = learn_rules.DrillStats()
            for when in sessions:
                q = drill.questions
                correct = max(0, min(q, round(q * rng.uniform(accuracy - 0.1, accuracy + 0.1))))
                stats = learn_rules.drill_round(
                    stats,
                    correct=correct,
                    total=q,
                    duration_seconds=drill.duration_seconds,
                    at=when,
                )
                score = learn_rules.round_score(correct, q)
                self.unit("drill_attempts", when, q)
                self.record(
                    Transition(
                        at=when,
                        activity="drill.completed",
                        category="learn",
                        metadata={
                            "drill_id": str(drill.id),
                            "drill_key": drill.key,
                            "title": drill.title,
                            "correct": correct,
                            "total": q,
                            "score": score,
                            "duration_seconds": drill.duration_seconds,
                        },
                        idempotency_key=learn_rules.drill_ledger_key(
                            drill.id, stats.total_attempts
                        ),
                        event_id=str(drill.id),
                        reason=f"Drill: {drill.title}",
                        xp=drill.xp_reward,
                        counts={"drill_attempts": q},
                    )
                )
            self.add(
                "user_drill_stats",
                {
                    "user_id": self.uid,
                    "drill_id": drill.id,
                    "total_attempts": stats.total_attempts,
                    "correct_answers": stats.correct_answers,
                    "best_score": stats.best_score,
                    "average_score": stats.average_score,
                    "current_streak": stats.current_streak,
                    "best_streak": stats.best_streak,
                    "last_attempt_at": stats.last_attempt_at,
                    "total_time_seconds": stats.total_time_seconds,
                    "next_due_at": stats.next_due_at,
                },
            )

    # ---------------------------------------------------------------- books

    def books(self) -> None:
        rng = self.rng
        short = rng.choice(c.SHORT_BOOKS)
        others = rng.sample([b for b in range(len(c.BOOKS)) if b not in c.SHORT_BOOKS], k=3)
        plan = [(short, "completed"), (others[0], "reading"), (others[1], "want_to_read")]
        if rng.random() < 0.5:
            plan.append((others[2], "paused"))
        for title_index, status in plan:
            title, author, pages = c.BOOKS[title_index]
            book_id = new_id()
            sessions: list[Row] = []
            if status == "completed":
                day_list = list(range(self.days, 0, -max(1, self.days // 10)))
                target = pages
            elif status == "reading":
                day_list = list(range(min(self.days, 12), 0, -2))
                target = rng.randint(40, pages // 2)
            elif status == "paused":
                day_list = list(range(self.days, max(0, self.days - 6), -3))
                target = rng.randint(20, 60)
            else:
                day_list, target = [], 0
            day_list = [k for k in day_list if k not in self.off] or [1]
            read = 0
            for n, k in enumerate(day_list):
                if read >= target:
                    break
                last = n == len(day_list) - 1
                chunk = min(target - read, rng.randint(12, 35))
                if last or target - read - chunk < 10:  # no stub sessions of a page or two
                    chunk = target - read
                when = self.at(k, rng.uniform(21, 23.5))
                read += chunk
                sid = new_id()
                reward = session_reward(chunk)
                xp, coins = reward.xp, reward.coins
                sessions.append(
                    {
                        "id": sid,
                        "book_id": book_id,
                        "user_id": self.uid,
                        "pages_read": chunk,
                        "duration_minutes": max(5, round(chunk * rng.uniform(1.4, 2.6))),
                        "started_at": when,
                        "notes": rng.choice((None, None, *c.BOOK_NOTES)),
                        "xp_awarded": xp,
                        "coins_awarded": coins,
                    }
                )
                self.unit("pages_read", when, chunk)
                self.record(
                    Transition(
                        at=when + timedelta(minutes=sessions[-1]["duration_minutes"]),
                        activity=SESSION_EVENT,
                        category="books",
                        metadata={"bookId": str(book_id), "pages": chunk},
                        idempotency_key=session_ledger_key(sid),
                        event_id=str(sid),
                        reason=f"Read {chunk} pages of {title}",
                        xp=xp,
                        coins=coins,
                    )
                )
            started = sessions[0]["started_at"] if sessions else None
            completed_at = None
            if status == "completed":
                assert read == pages and sessions
                completed_at = sessions[-1]["started_at"] + timedelta(
                    minutes=sessions[-1]["duration_minutes"] + 1
                )
                done = finish_reward()
                self.record(
                    Transition(
                        at=completed_at,
                        activity=FINISH_EVENT,
                        category="books",
                        metadata={"bookId": str(book_id), "title": title},
                        idempotency_key=finish_ledger_key(book_id),
                        event_id=str(book_id),
                        reason=f"Finished {title}",
                        xp=done.xp,
                        coins=done.coins,
                        stars=done.stars,
                        skill_key=done.skill_key,
                        counts={"books_completed": 1},
                    )
                )
            self.add(
                "books",
                {
                    "id": book_id,
                    "user_id": self.uid,
                    "title": title,
                    "author": author,
                    "total_pages": pages,
                    "current_page": read,
                    "status": status,
                    "started_at": started,
                    "completed_at": completed_at,
                    "rating": rng.choice((4, 5, 5)) if status == "completed" else None,
                    "notes": rng.choice(c.BOOK_NOTES) if sessions else None,
                    "cover_blob_id": None,
                    "created_at": min(started or self.now, self.signup + timedelta(days=1)),
                },
            )
            self.add("reading_sessions", *sessions)

    # ---------------------------------------------------------------- fitness

    def fitness(self) -> None:
        rng = self.rng
        strength = rng.uniform(0.75, 1.3)
        templates = (
            list(c.WORKOUTS) if self.showcase or rng.random() < 0.5 else list(c.WORKOUTS[:3])
        )
        workouts: list[tuple[uuid.UUID, str, int, list[tuple[Any, ...]]]] = []
        for name, description, minutes, sections in templates:
            workout_id = new_id()
            self.add(
                "workouts",
                {
                    "id": workout_id,
                    "user_id": self.uid,
                    "name": name,
                    "description": description,
                    "estimated_duration": minutes,
                    "is_template": True,
                    "created_at": self.signup + timedelta(days=1, hours=rng.randint(1, 6)),
                },
            )
            lines: list[tuple[Any, ...]] = []
            order = 0
            for s, (section_name, exercises) in enumerate(sections):
                section_id = new_id()
                self.add(
                    "workout_sections",
                    {
                        "id": section_id,
                        "workout_id": workout_id,
                        "name": section_name,
                        "sort_order": s,
                    },
                )
                for ex_name, sets, reps, weight, duration, rest in exercises:
                    ex_id = (
                        self.custom_exercise_id
                        if ex_name == "*custom*"
                        else self.cat.exercises.get(ex_name)
                    )
                    if ex_id is None:
                        continue
                    kg = round(weight * strength * 2) / 2 if weight else None
                    self.add(
                        "workout_exercises",
                        {
                            "workout_id": workout_id,
                            "section_id": section_id,
                            "exercise_id": ex_id,
                            "sets": sets,
                            "reps": reps,
                            "weight": kg,
                            "duration": duration,
                            "rest_seconds": rest,
                            "notes": None,
                            "sort_order": order,
                        },
                    )
                    lines.append((ex_id, sets, reps, kg, duration, section_name == "Warm-up"))
                    order += 1
            workouts.append((workout_id, name, minutes, lines))
        self.workout_ids = [(w[0], w[1]) for w in workouts]

        # Sessions: two to three a week, rotating through the workouts. Records and awards
        # follow db/fitness/rules.py, as logExerciseSet and finishWorkoutSession do: a working
        # set beats a record when its measure is strictly greater, the record keeps the value
        # it beat; a finished session is paid workout_award(working sets).
        best: dict[tuple[uuid.UUID, str], tuple[float, int | None, Row, float | None]] = {}
        rotation = 0
        free = [k for k in range(self.days, 0, -1) if k not in self.off]
        days = [k for k in free if rng.random() < self.persona.workout_days]
        if len(days) < 2:  # everyone trains at least twice a month
            days = sorted(set(days) | set(rng.sample(free, k=min(2, len(free)))), reverse=True)
        for k in days:
            workout_id, name, minutes, lines = workouts[rotation % len(workouts)]
            rotation += 1
            working = sum(sets for _, sets, _, _, _, warmup in lines if not warmup)
            if working == 0:  # a session without a working set cannot be finished
                continue
            progress = 1 + 0.006 * (self.days - k)
            start = self.at(k, rng.choice((7.0, 7.5, 18.0, 18.5, 19.0)))
            session_id = new_id()
            clock = start
            for ex_id, sets, reps, kg, duration, warmup in lines:
                for n in range(1, sets + 1):
                    clock += timedelta(seconds=(duration or 40) + 60)
                    set_row: Row = {
                        "id": new_id(),
                        "session_id": session_id,
                        "exercise_id": ex_id,
                        "set_number": n,
                        "reps": max(1, reps + rng.randint(-2, 2)) if reps else None,
                        "weight": round(kg * progress * 2) / 2 if kg else None,
                        "duration": round(duration * rng.uniform(0.9, 1.15)) if duration else None,
                        "is_warmup": warmup,
                        "is_dropset": False,
                        "rpe": None if warmup else round(rng.uniform(6, 9) * 2) / 2,
                        "notes": None,
                        "completed_at": clock,
                    }
                    self.add("exercise_sets", set_row)
                    measures = set_measures(
                        set_row["reps"], set_row["weight"], set_row["duration"], warmup
                    )
                    for measure in measures:
                        key = (ex_id, measure.record_type.value)
                        old = best.get(key)
                        if old is None or measure.value > old[0]:
                            previous = old[0] if old else None
                            best[key] = (measure.value, measure.reps, set_row, previous)
            end = max(clock, start + timedelta(minutes=minutes))
            if end > self.now:
                end = self.now - timedelta(seconds=10)
            award = workout_award(working)
            self.add(
                "workout_sessions",
                {
                    "id": session_id,
                    "user_id": self.uid,
                    "workout_id": workout_id,
                    "started_at": start,
                    "completed_at": end,
                    "notes": rng.choice(c.WORKOUT_NOTES),
                    "rating": rng.choice((3, 4, 4, 5, 5)),
                    "xp_awarded": award.xp,
                    "coins_awarded": award.coins,
                },
            )
            self.unit("workouts_completed", end)
            self.record(
                Transition(
                    at=end,
                    activity="workout.completed",
                    category="fitness",
                    metadata={"sessionId": str(session_id), "workout": name},
                    idempotency_key=workout_ledger_key(session_id),
                    event_id=str(session_id),
                    reason=f"Workout: {name}",
                    xp=award.xp,
                    coins=award.coins,
                    stars=award.stars,
                    skill_key=award.skill_key,
                    counts={"workouts_completed": 1},
                )
            )
        for (ex_id, kind), (value, reps_done, set_row, previous) in best.items():
            self.add(
                "personal_records",
                {
                    "user_id": self.uid,
                    "exercise_id": ex_id,
                    "record_type": kind,
                    "value": value,
                    "reps": reps_done,
                    "achieved_at": set_row["completed_at"],
                    "exercise_set_id": set_row["id"],
                    "previous_value": previous,
                    "created_at": set_row["completed_at"],
                },
            )

        # A four-week block with a deload week.
        program_id = new_id()
        started = self.day_start(min(self.days, 20)) + timedelta(hours=7)
        self.add(
            "training_programs",
            {
                "id": program_id,
                "user_id": self.uid,
                "name": "Producer strength block",
                "description": "Three short sessions a week that keep the back and wrists happy.",
                "duration_weeks": 4,
                "goal": "Stay strong and pain-free through long studio days",
                "difficulty": "beginner" if strength < 0.95 else "intermediate",
                "is_active": True,
                "started_at": started,
                "completed_at": None,
                "created_at": started - timedelta(days=1),
            },
        )
        schedule = [(1, workouts[0][0]), (3, workouts[2 % len(workouts)][0])]
        schedule.append((5, workouts[1 % len(workouts)][0]))
        for week, intensity in enumerate((1.0, 1.05, 1.1, 0.8), start=1):
            week_id = new_id()
            self.add(
                "program_weeks",
                {
                    "id": week_id,
                    "program_id": program_id,
                    "week_number": week,
                    "name": "Deload" if week == 4 else f"Week {week}",
                    "is_deload": week == 4,
                    "notes": "Half the sets, same technique." if week == 4 else None,
                },
            )
            self.add(
                "program_workouts",
                *(
                    {
                        "program_week_id": week_id,
                        "workout_id": workout_id,
                        "day_of_week": dow,
                        "order_index": n,
                        "intensity_modifier": intensity,
                    }
                    for n, (dow, workout_id) in enumerate(schedule)
                ),
            )
