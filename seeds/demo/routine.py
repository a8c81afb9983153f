"""The daily routine: habits and their completions, goals and milestones, focus sessions
(completed, abandoned, expired, the running one and its pause state) and the daily plans.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from db.focus import rules as focus_rules
from db.goals import rules as goal_rules
from db.habits.rules import completion_award, habit_ledger_key, habit_streaks
from seeds.demo import content as c
from seeds.demo.ledger import Transition
from seeds.demo.state import (
    MON_WED_FRI,
    Row,
    UserState,
    new_id,
)


class Routine(UserState):
    """Habits, goals, focus sessions and daily plans of a demo user."""

    # ---------------------------------------------------------------- habits

    def habits(self) -> None:
        rng = self.rng
        count = 6 if self.showcase else rng.randint(4, 6)
        pool = list(range(len(c.HABITS)))
        chosen = [0, *rng.sample(pool[1:], count - 1)] if self.showcase else rng.sample(pool, count)
        self.habit_ids = []
        self.habit_hours = {}
        for order, h in enumerate(chosen):
            name, description, icon, color, hour, reliability = c.HABITS[h]
            habit_id = new_id()
            custom = order > 0 and rng.random() < 0.25
            start_k = self.days if order < 3 else self.day(self.days // 3, self.days)
            due = [
                k
                for k in range(start_k, -1, -1)
                if not custom or (self.today - timedelta(days=k)).isoweekday() % 7 in MON_WED_FRI
            ]
            done: list[bool] = []
            for k in due:
                if k in self.off:
                    done.append(False)
                    continue
                p = (reliability if (done and done[-1]) or not done else 0.55) * self.drive
                if k == 0:
                    p = 0.6
                done.append(rng.random() < p)
            completions = []
            dates_done: list[date] = []
            for k, ok in zip(due, done, strict=True):
                if not ok:
                    continue
                when = self.at(k, min(23.9, max(6.0, hour + rng.gauss(0, 0.6))))
                completion_id = new_id()
                day = self.today - timedelta(days=k)
                completions.append(
                    {
                        "id": completion_id,
                        "habit_id": habit_id,
                        "user_id": self.uid,
                        "completed_at": when,
                        "completed_date": day,
                        "notes": None if rng.random() < 0.9 else "Done before the session.",
                    }
                )
                self.streak_days["habits"].add(day)
                dates_done.append(day)
                self.unit("habit_completions", when)
                # The reward and the ledger key of completeHabit (db/habits/rules.py).
                award = completion_award(len(completions))
                self.record(
                    Transition(
                        at=when,
                        activity="habit.completed",
                        category="habits",
                        metadata={
                            "habit_id": str(habit_id),
                            "completion_id": str(completion_id),
                            "name": name,
                            "date": day.isoformat(),
                        },
                        idempotency_key=habit_ledger_key(completion_id),
                        event_id=str(completion_id),
                        reason=f"Habit: {name}",
                        xp=award.xp,
                        coins=award.coins,
                        stars=award.stars,
                        skill_key=award.skill_key,
                        counts={"habit_completions": 1},
                    )
                )
            current, longest = habit_streaks(
                "custom" if custom else "daily",
                1,
                MON_WED_FRI if custom else [],
                dates_done,
                self.today,
            )
            self.add(
                "habits",
                {
                    "id": habit_id,
                    "user_id": self.uid,
                    "name": name,
                    "description": description,
                    "frequency": "custom" if custom else "daily",
                    "target_count": 1,
                    "custom_days": MON_WED_FRI if custom else [],
                    "icon": icon,
                    "color": color,
                    "is_active": True,
                    "current_streak": current,
                    "longest_streak": longest,
                    "last_completed_at": completions[-1]["completed_at"] if completions else None,
                    "sort_order": order,
                    "created_at": self.day_start(start_k) + timedelta(hours=8),
                },
            )
            self.add("habit_completions", *completions)
            self.habit_ids.append((habit_id, name))
            if order == 0:
                self.first_habit_at = self.day_start(start_k) + timedelta(hours=8)
            self.habit_hours[habit_id] = hour

    # ---------------------------------------------------------------- goals

    def goals(self) -> None:
        rng = self.rng
        count = 3 if self.showcase else rng.randint(2, 3)
        chosen = (
            [0, *rng.sample(range(1, len(c.GOALS)), count - 1)]
            if self.showcase
            else (rng.sample(range(len(c.GOALS)), count))
        )
        self.goal_ids = []
        for order, g in enumerate(chosen):
            title, description, category, milestones = c.GOALS[g]
            goal_id = new_id()
            target = self.today + timedelta(days=rng.randint(30, 120))
            status = ("active", "active", "completed" if rng.random() < 0.5 else "paused")[order]
            started = self.signup + timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 5))
            n = len(milestones)
            done = n if status == "completed" else rng.randint(1, n - 1)
            days_done = sorted((self.day(1, self.days - 2) for _ in range(done)), reverse=True)
            completed_at = None
            milestone_pay = goal_rules.milestone_reward()
            for m, mtitle in enumerate(milestones):
                when = self.at(days_done[m], rng.uniform(12, 22)) if m < done else None
                milestone_id = new_id()
                if when is not None:
                    when = max(when, started + timedelta(hours=1))
                    self.unit("milestones_completed", when)
                    self.record(
                        Transition(
                            at=when,
                            activity=goal_rules.MILESTONE_EVENT,
                            category="goals",
                            metadata={"goalId": str(goal_id), "milestone": mtitle},
                            idempotency_key=goal_rules.milestone_ledger_key(milestone_id),
                            event_id=str(milestone_id),
                            reason=f"Milestone: {mtitle}",
                            xp=milestone_pay.xp,
                            coins=milestone_pay.coins,
                        )
                    )
                    completed_at = when
                self.add(
                    "goal_milestones",
                    {
                        "id": milestone_id,
                        "goal_id": goal_id,
                        "title": mtitle,
                        "description": None,
                        "is_completed": when is not None,
                        "completed_at": when,
                        "sort_order": m,
                    },
                )
            if status == "completed":
                assert completed_at is not None
                goal_pay = goal_rules.goal_reward()
                self.record(
                    Transition(
                        at=completed_at + timedelta(minutes=1),
                        activity=goal_rules.GOAL_EVENT,
                        category="goals",
                        metadata={"goalId": str(goal_id), "title": title},
                        idempotency_key=goal_rules.goal_ledger_key(goal_id),
                        event_id=str(goal_id),
                        reason=f"Goal reached: {title}",
                        xp=goal_pay.xp,
                        coins=goal_pay.coins,
                        stars=goal_pay.stars,
                        skill_key=goal_pay.skill_key,
                    )
                )
            self.add(
                "goals",
                {
                    "id": goal_id,
                    "user_id": self.uid,
                    "title": title,
                    "description": description,
                    "category": category,
                    "target_date": target,
                    "started_at": started,
                    "completed_at": completed_at + timedelta(minutes=1)
                    if status == "completed" and completed_at
                    else None,
                    "status": status,
                    "progress": 100 if status == "completed" else goal_rules.progress(done, n),
                    "priority": 3 - order,
                    "sort_order": order,
                    "created_at": started,
                },
            )
            self.goal_ids.append((goal_id, title, target))

    # ---------------------------------------------------------------- focus

    def focus(self) -> None:
        rng = self.rng
        p_active = self.persona.active_days
        plan_days = min(9, self.days)
        completions: list[Transition] = []
        self.first_focus = None  # (id, completed at)
        for k in range(self.days, 0, -1):
            if rng.random() > p_active or k in self.off:
                if k <= plan_days:
                    self.plan(k, [])
                continue
            start = self.at(k, rng.uniform(9.5, 11.5))
            blocks: list[tuple[Row, str]] = []
            for _ in range(rng.choice(self.persona.sessions_per_day)):
                minutes = rng.choice((self.focus_minutes,) * 3 + (25, 50))
                if start + timedelta(minutes=minutes) > self.day_start(k) + timedelta(hours=21):
                    break
                outcome = rng.random()
                status = (
                    "completed" if outcome > 0.1 else "abandoned" if outcome > 0.02 else "expired"
                )
                row = self.focus_session(
                    start, minutes, status, rng.choice(c.FOCUS_TASKS), pausable=True
                )
                blocks.append((row, row["task_title"]))
                if status == "completed":
                    completions.append(self.focus_transition(row))
                start = row["completed_at"] or row["abandoned_at"] or row["expires_at"]
                if rng.random() < 0.25:
                    brk = self.focus_session(start, rng.choice((5, 10)), "completed", None, "break")
                    completions.append(self.focus_transition(brk))
                    start = brk["completed_at"]
                start += timedelta(minutes=rng.randint(5, 30))
            if k <= plan_days:
                self.plan(k, blocks)

        # Today: one finished session, then the running one (active, or paused right now).
        minutes = self.focus_minutes
        running_start = self.now - timedelta(minutes=rng.randint(8, 18))
        done_start = running_start - timedelta(minutes=minutes + rng.randint(10, 30))
        title = rng.choice(c.FOCUS_TASKS)
        today_row = self.focus_session(done_start, minutes, "completed", title)
        completions.append(self.focus_transition(today_row))
        paused = self.i % 2 == 1
        running = self.focus_session(
            running_start, minutes, "paused" if paused else "active", rng.choice(c.FOCUS_TASKS)
        )
        self.plan(0, [(today_row, title), (running, running["task_title"])])
        for tr in sorted((t for t in completions if t.counts), key=lambda t: t.at)[-3:]:
            tr.outbox = ("focus.session.completed", dict(tr.metadata))
        for tr in completions:
            self.record(tr)
        self.record(
            Transition(
                at=running_start,
                activity="focus.session.started",
                category="focus",
                metadata={"sessionId": str(running["id"]), "minutes": minutes},
                outbox=("focus.session.started", {"sessionId": str(running["id"])}),
            )
        )
        # The pause state of the running session: paused a few minutes in (demo-1 and every
        # other user are paused now; the rest resumed two minutes later and are running).
        elapsed = rng.randint(2, 4)
        pause_at = running_start + timedelta(minutes=elapsed)
        remaining = minutes * 60 - elapsed * 60
        if paused:
            running.update(paused_at=pause_at, paused_remaining_seconds=remaining)
            self.record(
                Transition(
                    at=pause_at,
                    activity="focus.session.paused",
                    category="focus",
                    metadata={"sessionId": str(running["id"]), "remainingSeconds": remaining},
                    outbox=("focus.session.paused", {"sessionId": str(running["id"])}),
                )
            )
        self.add(
            "focus_pause_state",
            {
                "user_id": self.uid,
                "session_id": running["id"],
                "is_paused": paused,
                "paused_at": pause_at,
                "resumed_at": None if paused else pause_at + timedelta(minutes=2),
                "time_remaining_seconds": remaining,
                "created_at": running_start,
            },
        )

    def focus_session(
        self,
        start: datetime,
        minutes: int,
        status: str,
        task: str | None,
        mode: str = "focus",
        *,
        pausable: bool = False,
    ) -> Row:
        """A focus session row (and its transition when abandoned or expired). A ``pausable``
        completed focus session is sometimes paused and resumed on the way: it then has a
        ``focus_pause_state`` row and ends later by the time spent paused."""
        sid = new_id()
        end = start + timedelta(minutes=minutes)
        if pausable and status == "completed" and mode == "focus" and self.rng.random() < 0.08:
            at_minute = self.rng.randint(3, max(3, minutes - 3))
            paused_at = start + timedelta(minutes=at_minute)
            resumed_at = paused_at + timedelta(minutes=self.rng.randint(2, 9))
            end += resumed_at - paused_at
            self.add(
                "focus_pause_state",
                {
                    "user_id": self.uid,
                    "session_id": sid,
                    "is_paused": False,
                    "paused_at": paused_at,
                    "resumed_at": resumed_at,
                    "time_remaining_seconds": (minutes - at_minute) * 60,
                    "created_at": start,
                },
            )
        row: Row = {
            "id": sid,
            "user_id": self.uid,
            "mode": mode,
            "duration_seconds": minutes * 60,
            "started_at": start,
            "completed_at": end if status == "completed" else None,
            "abandoned_at": start + timedelta(minutes=self.rng.randint(3, max(3, minutes - 5)))
            if status == "abandoned"
            else None,
            "expires_at": focus_rules.expires_at(end, 0),
            "paused_at": None,
            "paused_remaining_seconds": None,
            "status": status,
            "xp_awarded": 0,
            "coins_awarded": 0,
            "focused_seconds": minutes * 60 if status == "completed" else None,
            "task_id": None,
            "task_title": task,
            "created_at": start,
        }
        if status == "completed":
            award = focus_rules.focus_award(mode, minutes)
            row["xp_awarded"], row["coins_awarded"] = award.xp, award.coins
        if self.first_focus is None and mode == "focus" and status == "completed":
            self.first_focus = (sid, end)
        self.add("focus_sessions", row)
        if status in ("abandoned", "expired"):
            when = row["abandoned_at"] or row["expires_at"]
            self.record(
                Transition(
                    at=when,
                    activity=f"focus.session.{status}",
                    category="focus",
                    metadata={"sessionId": str(sid), "minutes": minutes},
                )
            )
        return row

    def focus_transition(self, row: Row) -> Transition:
        minutes = row["duration_seconds"] // 60
        focus = row["mode"] == "focus"
        award = focus_rules.focus_award(row["mode"], minutes)
        assert row["completed_at"] is not None
        self.unit("focus_sessions_completed", row["completed_at"], 1, row["mode"], minutes)
        self.unit("focus_minutes", row["completed_at"], minutes, row["mode"], minutes)
        if focus:
            self.streak_days["focus"].add(row["completed_at"].date())
        sid = str(row["id"])
        return Transition(
            at=row["completed_at"],
            activity="focus.session.completed",
            category="focus",
            metadata={"sessionId": sid, "mode": row["mode"], "minutes": minutes},
            idempotency_key=f"focus.session.completed:{sid}",
            event_id=sid,
            reason=f"{minutes}-minute {'focus session' if focus else 'break'} completed",
            xp=award.xp,
            coins=award.coins,
            stars=award.stars,
            skill_key=award.skill_key,
            counts={"focus_sessions_completed": 1, "focus_minutes_total": minutes}
            if focus_rules.counts_for_progress(row["mode"], minutes)
            else {},
        )

    def plan(self, k: int, blocks: list[tuple[Row, str]]) -> None:
        """The daily plan of day ``k``: its focus blocks (linked to the sessions) plus a few
        other blocks."""
        rng = self.rng
        items: list[Row] = []
        for row, title in blocks:
            item_id = new_id()
            row["task_id"] = item_id
            items.append(
                {
                    "id": str(item_id),
                    "title": title,
                    "minutes": row["duration_seconds"] // 60,
                    "kind": "focus",
                    "refId": str(row["id"]),
                    "done": row["status"] == "completed",
                }
            )
            if row["status"] == "completed":
                self.unit("plan_items_completed", row["completed_at"])
        for title, minutes, kind in rng.sample(c.PLAN_BLOCKS, k=rng.randint(2, 3)):
            done = rng.random() < (0.4 if k == 0 else 0.75)
            items.insert(
                rng.randint(0, len(items)),
                {
                    "id": str(new_id()),
                    "title": title,
                    "minutes": minutes,
                    "kind": kind,
                    "refId": None,
                    "done": done,
                },
            )
            if done:
                self.unit("plan_items_completed", self.at(k, rng.uniform(9, 21)))
        created = self.day_start(k) + timedelta(hours=8, minutes=rng.randint(0, 59))
        self.add(
            "daily_plans",
            {
                "user_id": self.uid,
                "date": self.today - timedelta(days=k),
                "items": items,
                "notes": rng.choice(
                    (
                        None,
                        None,
                        "Finish before starting anything new.",
                        "Ears tired: no mixing after 8pm.",
                    )
                ),
                "created_at": min(created, self.now),
            },
        )
