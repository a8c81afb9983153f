"""Quests and the market: progress on the universal quests derived from the month's
activity, the user's own quests, and the purchases to attempt (bought by the ledger replay
when the wallet can pay).
"""

from __future__ import annotations

import bisect
import operator
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from db.quests.rules import (
    QUEST_SKILL_STARS,
    accepts,
    next_repeat_streak,
    period_end,
    period_start,
    quest_reward_key,
    repeat_period_start,
    user_quest_ledger_key,
    user_quest_reward,
)
from seeds.demo import content as c
from seeds.demo.catalog import Quest
from seeds.demo.ledger import PurchaseIntent, Transition
from seeds.demo.state import (
    Row,
    UserState,
    new_id,
)


class Rewards(UserState):
    """Universal quest progress, own quests and market intents of a demo user."""

    # ---------------------------------------------------------------- quests

    def quests(self) -> None:
        """Progress on the universal quests, computed from the month's activity (the units of
        each quest's ``target_type`` in its period), in every status:

        - claimed: a daily quest claimed on past days that met its target (lazy reset: the
          row keeps the last claim until the user touches it again), and a special or weekly
          quest whose target was reached;
        - completed: a quest whose target is met in the current period, not claimed yet;
        - accepted: quests under target in the current period, with their real progress;
        - abandoned: a quest accepted on a past day and dropped the day after.
        """
        rng = self.rng
        self.sorted_units = {kind: sorted(units) for kind, units in self.units.items()}
        quests = list(self.cat.quests)
        rng.shuffle(quests)
        status: dict[uuid.UUID, str] = {}
        met_now = [
            q for q in quests if self.quest_done_at(q, *self.period(q, self.now)) is not None
        ]
        met_days: list[int] = []  # the past days on which the claimed daily quest was met
        for q in (q for q in quests if q.type == "daily"):
            met_days = [
                d
                for d in range(1, min(self.days, 21) + 1)
                if self.quest_done_at(q, *self.period(q, self.day_start(d))) is not None
            ]
            if met_days:
                status[q.id] = "claimed"
                break
        reached = [q for q in met_now if q.type != "daily" and q.id not in status]
        if reached:
            status[reached[0].id] = "claimed"
        for q in [q for q in met_now if q.id not in status][:2]:
            status[q.id] = "completed"
        for q in [q for q in quests if q.id not in status and q not in met_now][:2]:
            status[q.id] = "accepted"
        rest = [q for q in quests if q.id not in status]
        if rest:
            status[rest[0].id] = "abandoned"
        for q in quests:
            if q.id in status:
                self.quest_progress(q, status[q.id], met_days if q.type == "daily" else [])

    def period(self, quest: Quest, moment: datetime) -> tuple[datetime, datetime]:
        """The ``[start, end)`` period of ``quest`` that contains ``moment``, cut at now
        (:func:`db.quests.rules.period_start`; a special quest's one period runs from the day
        after signup, when the demo user accepts it, to now)."""
        start = period_start(quest.type, moment)
        if start is None:
            return self.signup + timedelta(days=1), self.now
        end = period_end(quest.type, start)
        assert end is not None
        return start, min(end, self.now)

    def quest_units(
        self, quest: Quest, start: datetime, end: datetime
    ) -> list[tuple[datetime, int]]:
        """The ``(time, amount)`` units that count toward ``quest`` in ``[start, end)``."""
        units = self.sorted_units.get(quest.target_type, [])
        first = bisect.bisect_left(units, start, key=_first)
        last = bisect.bisect_left(units, end, lo=first, key=_first)
        config = quest.target_config
        if not config:
            return [(t, amount) for t, amount, _, _ in units[first:last]]
        return [
            (t, amount)
            for t, amount, unit_mode, minutes in units[first:last]
            if accepts(config, {"mode": unit_mode, "minutes": minutes} if unit_mode else {})
        ]

    def quest_done_at(self, quest: Quest, start: datetime, end: datetime) -> datetime | None:
        """When the units in ``[start, end)`` reached the quest's target, or None."""
        total = 0
        for t, amount in sorted(self.quest_units(quest, start, end)):
            total += amount
            if total >= quest.target:
                return t
        return None

    def quest_progress(self, quest: Quest, status: str, met_days: list[int]) -> None:
        rng = self.rng
        start, end = self.period(quest, self.now)
        progress = sum(a for _, a in self.quest_units(quest, start, end))
        completions: list[datetime] = []
        claimed_at = None
        # Accepted when the app is opened: in the morning of the period's first day.
        accepted = min(start + timedelta(minutes=rng.randint(420, 600)), self._latest)
        if status == "claimed" and quest.type == "daily":
            days = sorted(
                rng.sample(met_days, k=min(len(met_days), rng.randint(3, 8))), reverse=True
            )
            completions = [
                t
                for d in days
                if (t := self.quest_done_at(quest, *self.period(quest, self.day_start(d))))
            ]
            start, end = self.period(quest, completions[-1])
            progress = sum(a for _, a in self.quest_units(quest, start, end))
            accepted = min(self.day_start(days[0]) + timedelta(hours=8), completions[0])
        elif status in ("claimed", "completed"):
            done = self.quest_done_at(quest, start, end)
            assert done is not None
            completions = [done]
            accepted = min(accepted, done - timedelta(minutes=1))
        elif status == "abandoned":
            k = self.day(2, 14)
            start, end = self.period(quest, self.day_start(k))
            progress = sum(a for _, a in self.quest_units(quest, start, end))
            accepted = self.at(k, rng.uniform(8, 10))
        progress = min(progress, quest.target if completions else quest.target - 1)
        progress_id = new_id()
        details = {
            "user_quest_progress_id": str(progress_id),
            "quest_id": str(quest.id),
            "title": quest.title,
        }
        self.record(
            Transition(at=accepted, activity="quest.accepted", category="quests", metadata=details)
        )
        for n, done in enumerate(completions):
            self.quest_event(quest, details, done, n, award=False)
            if status == "claimed":
                claimed_at = min(done + timedelta(minutes=rng.randint(2, 90)), self._latest)
                self.quest_event(quest, details, claimed_at, n, award=True)
        if status == "abandoned":
            self.record(
                Transition(
                    at=accepted + timedelta(days=1),
                    activity="quest.abandoned",
                    category="quests",
                    metadata=details,
                )
            )
        self.add(
            "user_quest_progress",
            {
                "id": progress_id,
                "user_id": self.uid,
                "quest_id": quest.id,
                "status": status,
                "progress": progress,
                "accepted_at": accepted,
                "completed_at": completions[-1] if completions else None,
                "claimed_at": claimed_at,
                "last_reset_at": start if quest.type in ("daily", "weekly") else None,
                "times_completed": len(completions),
                "created_at": accepted,
            },
        )

    def quest_event(
        self, quest: Quest, details: dict[str, Any], at: datetime, n: int, *, award: bool
    ) -> None:
        """The ``n``-th (0-based) completion of a universal quest (``quest.completed``, which
        the ``quests_completed`` achievements count), or the claim of its reward
        (``quest.claimed``, paid as claimQuestReward pays: db/quests/progress.py)."""
        star = QUEST_SKILL_STARS if award and quest.skill_key in self.cat.skills else 0
        self.record(
            Transition(
                at=at,
                activity="quest.claimed" if award else "quest.completed",
                category="quests",
                metadata=details if award else {**details, "times_completed": n + 1},
                idempotency_key=quest_reward_key(quest.id, n + 1) if award else None,
                event_id=str(quest.id),
                reason=f"Quest reward: {quest.title}",
                xp=quest.xp_reward if award else 0,
                coins=quest.coin_reward if award else 0,
                stars=star,
                skill_key=quest.skill_key if star else None,
            )
        )

    def user_quests(self) -> None:
        """The user's own quests: accepted, completed (paid), a repeatable daily one with a
        streak, one copied from a universal quest, and an expired one."""
        rng = self.rng
        rows: list[Row] = []

        def quest(n: int, status: str, created: datetime, **more: Any) -> Row:
            title, description, category, difficulty = c.USER_QUESTS[n]
            xp, coins = user_quest_reward(difficulty)  # what createQuest sets
            row: Row = {
                "id": new_id(),
                "user_id": self.uid,
                "title": title,
                "description": description,
                "category": category,
                "difficulty": difficulty,
                "xp_reward": xp,
                "coin_reward": coins,
                "status": status,
                "is_active": status in ("available", "accepted"),
                "is_universal": False,
                "source_quest_id": None,
                "accepted_at": None if status == "available" else created + timedelta(hours=1),
                "completed_at": None,
                "expires_at": None,
                "is_repeatable": False,
                "repeat_frequency": None,
                "last_completed_date": None,
                "streak_count": 0,
                "created_at": created,
            } | more
            rows.append(row)
            return row

        def paid(row: Row, at: datetime, period: date | None, streak: int = 0) -> None:
            """A completion paid as completeQuest pays (db/quests/transitions.py)."""
            self.record(
                Transition(
                    at=at,
                    activity="user_quest.completed",
                    category="quests",
                    metadata={
                        "user_quest_id": str(row["id"]),
                        "streak_count": streak,
                        "title": row["title"],
                    },
                    idempotency_key=user_quest_ledger_key(row["id"], period),
                    event_id=str(row["id"]),
                    reason=f"Quest: {row['title']}",
                    xp=row["xp_reward"],
                    coins=row["coin_reward"],
                )
            )

        early = self.at(self.day(self.days - 3, self.days), 10.0)
        quest(0, "accepted", early, expires_at=self.now + timedelta(days=rng.randint(5, 20)))
        done_at = self.at(self.day(2, max(2, self.days // 2)), rng.uniform(15, 22))
        sprint = quest(
            1,
            "completed",
            min(early, done_at - timedelta(days=1)),
            completed_at=done_at,
            last_completed_date=done_at.date(),
        )
        paid(sprint, done_at, None)
        # A daily repeatable quest done on the last few days, up to today or yesterday: its
        # streak by the rule of completeQuest (db.quests.rules.next_repeat_streak).
        runs = rng.randint(2, max(2, min(6, self.days)))
        last = self.today - timedelta(days=rng.choice((0, 1)))
        daily = quest(2, "accepted", early, is_repeatable=True, repeat_frequency="daily")
        streak, previous = 0, None
        for n in range(runs - 1, -1, -1):
            day = last - timedelta(days=n)
            at = self.at((self.today - day).days, 20.5)
            streak = next_repeat_streak("daily", previous, streak, day) or streak
            previous = day
            paid(daily, at, repeat_period_start("daily", day), streak)
        daily.update(last_completed_date=previous, streak_count=streak, completed_at=at)
        source = next((q for q in self.cat.quests if q.type == "weekly"), self.cat.quests[0])
        quest(
            4,
            "available",
            early,
            title=source.title,
            description=source.description,
            category=source.skill_key or "focus",
            xp_reward=source.xp_reward,
            coin_reward=source.coin_reward,
            is_universal=True,
            source_quest_id=source.id,
        )
        quest(3, "expired", early, expires_at=early + timedelta(days=7))
        self.add("user_quests", *rows)

    # ---------------------------------------------------------------- market

    def market(self) -> None:
        """Purchases to attempt: one redeemed, one refunded, one kept, sometimes a treat."""
        rng = self.rng

        def when(fraction: float) -> datetime:
            k = max(1, round(self.days * (1 - fraction)))
            while k in self.off:
                k -= 1
            return self.at(k, rng.uniform(19.5, 22.5))

        self.intents += [
            PurchaseIntent(
                when(0.3),
                ("youtube_break_30", "skip_daily_quest"),
                "redeemed",
                timedelta(minutes=rng.randint(30, 180)),
            ),
            PurchaseIntent(
                when(0.5),
                ("skip_daily_quest", "youtube_break_30"),
                "refunded",
                timedelta(minutes=rng.randint(10, 90)),
                rng.choice(("Bought by mistake", "Changed my mind", "Did the quest after all")),
            ),
            PurchaseIntent(when(0.8), ("gaming_hour", "youtube_break_30"), "active"),
        ]
        if rng.random() < 0.5:
            self.intents.append(
                PurchaseIntent(
                    when(0.9),
                    ("takeaway_night", "sample_pack_10", "gaming_hour"),
                    "redeemed",
                    timedelta(hours=1),
                )
            )


_first = operator.itemgetter(0)
