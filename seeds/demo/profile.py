"""The producer behind the account: onboarding answers, sign-in records, the calendar,
notes (ideas, inbox, references, feedback, infobase, a plan template) and the onboarding
rows. Part of :class:`seeds.demo.builder` (see :mod:`seeds.demo.state` for the time model).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from db.auth.users import DEFAULT_SETTINGS
from db.fields import clean
from db.platform.rules import (
    FEEDBACK_FIELDS,
    FEEDBACK_REQUIRED,
    IDEA_FIELDS,
    INBOX_FIELDS,
    REFERENCE_FIELDS,
    TITLE_REQUIRED,
    check_metadata,
    check_url,
)
from seeds.demo import content as c
from seeds.demo.state import (
    Row,
    UserState,
    new_id,
)

_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TIMEZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles")


class Profile(UserState):
    """Onboarding, auth, the custom exercise, calendar and notes of a demo user."""

    # ---------------------------------------------------------------- onboarding answers

    def onboarding_choices(self) -> None:
        """Pick the onboarding answers first: the DAW, genres and the focus length shape the
        rest of the month."""
        rng = self.rng
        self.answers = {}
        self.settings = {}
        self.interests = []
        self.genres = []
        self.focus_minutes = 50 if self.showcase else rng.choice(c.FOCUS_LENGTHS)
        for step in self.cat.steps:
            if step.step_type not in ("choice", "preference") or not step.options:
                continue
            options = step.options
            if step.action_type == "save_interests":
                limit = int(step.action_config.get("max_choices", 3))
                chosen = rng.sample(options, k=rng.randint(1, min(limit, 3, len(options))))
                self.answers[step.id] = {"values": [o["value"] for o in chosen]}
                self.interests += [(str(o["value"]), str(o["label"])) for o in chosen]
                self.genres += [
                    str(o["value"]).removeprefix("genre:")
                    for o in chosen
                    if str(o["value"]).startswith("genre:")
                ]
                continue
            values = [o["value"] for o in options]
            if all(isinstance(v, int) for v in values):
                value: Any = (
                    self.focus_minutes if self.focus_minutes in values else rng.choice(values)
                )
                self.focus_minutes = int(value)
            elif any(v in c.DAWS for v in values):
                value = (
                    "ableton_live"
                    if self.showcase
                    else rng.choice([v for v in values if v in c.DAWS])
                )
            else:
                value = rng.choice(values)
            self.answers[step.id] = {"value": value}
            key = step.action_config.get("key")
            if step.action_type == "save_setting" and key and key not in DEFAULT_SETTINGS:
                self.settings[str(key)] = value
        # Users 4, 8, ... stopped halfway through onboarding; the showcase user finished it.
        self.onboarding_done = self.showcase or self.i % 4 != 0

    # ---------------------------------------------------------------- auth

    def auth(self) -> None:
        rng, uid, signup = self.rng, self.uid, self.signup
        provider = c.PROVIDERS[(self.i - 1) % len(c.PROVIDERS)]
        self.add(
            "accounts",
            {
                "user_id": uid,
                "type": "oauth",
                "provider": provider,
                "provider_account_id": str(uid.int % 10**21).zfill(21),
                "refresh_token": None,
                "access_token": None,
                "expires_at": self.now + timedelta(minutes=rng.randint(10, 55)),
                "token_type": "bearer",
                "scope": "openid email profile",
                "id_token": None,
                "session_state": None,
                "created_at": signup,
            },
        )
        created = signup + timedelta(hours=1)
        self.add(
            "sessions",
            {
                "user_id": uid,
                "token": hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                "expires_at": min(created + timedelta(days=7), self.now - timedelta(hours=1)),
                "created_at": created,
                "last_activity_at": created + timedelta(hours=2),
                "user_agent": rng.choice(c.USER_AGENTS),
                "ip_address": f"203.0.113.{rng.randint(2, 254)}",
            },
        )
        credential = uuid.uuid4().bytes + uid.bytes
        self.add(
            "authenticators",
            {
                "user_id": uid,
                "credential_id": _b64(credential),
                "provider_account_id": _b64(credential),
                "credential_public_key": _b64(rng.randbytes(77)),
                "counter": rng.randint(3, 120),
                "credential_device_type": rng.choice(["singleDevice", "multiDevice"]),
                "credential_backed_up": rng.random() < 0.6,
                "transports": rng.choice([["internal", "hybrid"], ["usb"], ["internal"]]),
                "created_at": signup + timedelta(days=1),
            },
        )
        self.add(
            "audit_log",
            {
                "user_id": uid,
                "event_type": "auth.passkey.registered",
                "resource_type": "authenticator",
                "resource_id": _b64(credential)[:22],
                "action": "create",
                "status": "success",
                "details": {"provider": provider},
                "ip_address": f"198.51.100.{rng.randint(2, 254)}",
                "user_agent": rng.choice(c.USER_AGENTS),
                "request_id": uuid.uuid4().hex,
                "created_at": signup + timedelta(days=1),
            },
        )

    # ---------------------------------------------------------------- fitness catalog

    def custom_exercise(self) -> None:
        name, category, muscles, equipment, description = c.CUSTOM_EXERCISES[
            (self.i - 1) % len(c.CUSTOM_EXERCISES)
        ]
        self.custom_exercise_id = new_id()
        self.add(
            "exercises",
            {
                "id": self.custom_exercise_id,
                "name": name,
                "description": description,
                "category": category,
                "muscle_groups": list(muscles),
                "equipment": equipment,
                "is_custom": True,
                "is_builtin": False,
                "user_id": self.uid,
                "level": "beginner",
                "instructions": [description],
                "created_at": self.signup + timedelta(days=2),
            },
        )

    # ---------------------------------------------------------------- calendar

    def calendar(self) -> None:
        rng = self.rng
        tz = rng.choice(_TIMEZONES)
        events: list[Row] = []

        def event(title: str, kind: str, start: datetime, minutes: int | None, **more: Any) -> Row:
            row: Row = {
                "id": new_id(),
                "user_id": self.uid,
                "title": title,
                "description": more.pop("description", None),
                "event_type": kind,
                "start_time": start,
                "end_time": start + timedelta(minutes=minutes) if minutes is not None else None,
                "all_day": minutes is None,
                "timezone": tz,
                "location": more.pop("location", None),
                "workout_id": more.pop("workout_id", None),
                "habit_id": more.pop("habit_id", None),
                "goal_id": more.pop("goal_id", None),
                "recurrence_rule": more.pop("recurrence_rule", None),
                "recurrence_end": more.pop("recurrence_end", None),
                "parent_event_id": more.pop("parent_event_id", None),
                "color": more.pop("color", None),
                "reminder_minutes": more.pop("reminder_minutes", 15),
                "metadata": more.pop("metadata", {}),
                "created_at": min(start, self.now) - timedelta(days=2),
            }
            assert not more, more
            events.append(row)
            return row

        future = datetime.combine(self.today, time(), tzinfo=UTC)
        for offset, (workout_id, name) in zip((1, 3, 5), self.workout_ids, strict=False):
            event(
                name,
                "workout",
                future + timedelta(days=offset, hours=7),
                45,
                workout_id=workout_id,
                color="#22c55e",
            )
        habit_id, habit_name = self.habit_ids[0]
        event(
            habit_name,
            "habit",
            future + timedelta(days=1, hours=self.habit_hours[habit_id]),
            15,
            habit_id=habit_id,
            reminder_minutes=10,
            color="#f97316",
        )
        goal_id, goal_title, target = self.goal_ids[0]
        event(
            f"Deadline: {goal_title}",
            "goal",
            datetime.combine(target, time(), tzinfo=UTC),
            None,
            goal_id=goal_id,
            reminder_minutes=1440,
            color="#ef4444",
        )
        for title, kind, location, minutes in rng.sample(c.MEETINGS, k=2):
            when = future + timedelta(days=rng.randint(-7, 10), hours=rng.choice((11, 14, 16)))
            event(title, kind, when, minutes, location=location)
        # A weekly studio session: the recurring parent and its occurrences up to next week.
        first = self.today - timedelta(days=min(self.days, 21))
        weekday = rng.choice((1, 3))  # Tuesday or Thursday (Monday = 0)
        first += timedelta(days=(weekday - first.weekday()) % 7)
        start = datetime.combine(first, time(19), tzinfo=UTC)
        last = self.today + timedelta(days=10)
        parent = event(
            "Weekly studio session",
            "focus",
            start,
            180,
            description="Phone off, one track, no new projects.",
            recurrence_rule=f"FREQ=WEEKLY;BYDAY={_RRULE_DAYS[weekday]}",
            recurrence_end=first + timedelta(weeks=12),
            color="#6366f1",
            metadata={"occurrencesMaterialisedUntil": last.isoformat()},
        )
        occurrence = start + timedelta(weeks=1)
        while occurrence.date() <= last:
            event(
                "Weekly studio session",
                "focus",
                occurrence,
                180,
                parent_event_id=parent["id"],
                color="#6366f1",
            )
            occurrence += timedelta(weeks=1)
        self.add("calendar_events", *events)

    # ---------------------------------------------------------------- notes and platform

    def notes(self) -> None:
        rng, uid = self.rng, self.uid

        def when() -> datetime:
            return self.at(self.day(1, self.days), rng.uniform(8, 23.5))

        for title, text, category, tags in rng.sample(c.IDEAS, k=rng.randint(3, 5)):
            idea = {
                "title": title,
                "content": text,
                "category": category,
                "tags": list(tags),
                "is_pinned": rng.random() < 0.2,
            }
            self.add(
                "ideas",
                {
                    "user_id": uid,
                    **clean(idea, IDEA_FIELDS, required=TITLE_REQUIRED),
                    "created_at": when(),
                },
            )
        for title, note, tags in rng.sample(c.INBOX, k=rng.randint(3, 5)):
            item = {"title": title, "description": note, "tags": list(tags)}
            self.add(
                "inbox_items",
                {
                    "user_id": uid,
                    **clean(item, INBOX_FIELDS, required=TITLE_REQUIRED),
                    "created_at": when(),
                },
            )
        for title, url, category, summary, tags in rng.sample(c.REFERENCES, k=rng.randint(2, 4)):
            reference = clean(
                {
                    "title": title,
                    "content": summary,
                    "url": url,
                    "category": category,
                    "tags": list(tags),
                    "is_pinned": rng.random() < 0.3,
                    "is_archived": False,
                },
                REFERENCE_FIELDS,
                required=TITLE_REQUIRED,
            )
            check_url(reference["url"])
            self.add("user_references", {"user_id": uid, **reference, "created_at": when()})
        for kind, title, text, status in rng.sample(c.FEEDBACK, k=rng.randint(1, 2)):
            created = when()
            done = status in ("resolved", "closed")
            # What submitFeedback stores, then the moderators' triage (status, response).
            submitted = clean(
                {"feedback_type": kind, "title": title, "description": text},
                FEEDBACK_FIELDS,
                required=FEEDBACK_REQUIRED,
            )
            context = check_metadata(
                {"page": "/focus" if kind == "bug" else "/", "appVersion": "0.9.3"}
            )
            self.add(
                "feedback",
                {
                    "user_id": uid,
                    **submitted,
                    "status": status,
                    "priority": "high" if kind == "bug" else "normal",
                    "admin_response": "Thanks! Fixed in the latest release." if done else None,
                    "resolved_at": created + timedelta(days=1) if done else None,
                    "metadata": context,
                    "created_at": created,
                },
            )
        title, text, category, tags = c.INFOBASE[(self.i - 1) % len(c.INFOBASE)]
        self.add(
            "infobase_entries",
            {
                "user_id": uid,
                "title": title,
                "content": text,
                "category": category,
                "tags": list(tags),
                "created_at": when(),
            },
        )
        name, description, category, blocks = c.PLAN_TEMPLATES[(self.i - 1) % len(c.PLAN_TEMPLATES)]
        self.add(
            "plan_templates",
            {
                "user_id": uid,
                "name": name,
                "description": description,
                "items": [{"title": t, "minutes": m, "kind": k} for t, m, k in blocks],
                "is_public": False,
                "category": category,
                "use_count": rng.randint(0, 4),
                "created_at": when(),
            },
        )

    def onboarding_rows(self) -> None:
        started = self.signup + timedelta(minutes=5)
        answered = 0
        current_step = None
        last = started
        for step in self.cat.steps:
            if not self.onboarding_done and step.step_order > len(self.cat.steps) // 2:
                current_step = current_step or step.id
                continue
            response: Any = self.answers.get(step.id)
            answered += 1
            when = started + timedelta(minutes=answered)
            # The action steps are answered by doing the thing, possibly days later.
            if step.action_type == "create_habit":
                response = {"completed": True, "habitId": str(self.habit_ids[0][0])}
                when = max(when, self.first_habit_at)
            elif step.action_type == "start_focus" and self.first_focus is not None:
                response = {"completed": True, "focusSessionId": str(self.first_focus[0])}
                when = max(when, self.first_focus[1])
            if response is None:
                continue
            last = max(last, when)
            self.add(
                "user_onboarding_responses",
                {
                    "user_id": self.uid,
                    "step_id": step.id,
                    "response": response,
                    "created_at": when,
                },
            )
        done_at = last + timedelta(minutes=1)
        self.onboarding = {
            "status": "completed" if self.onboarding_done else "in_progress",
            "current_step_id": None if self.onboarding_done else current_step,
            "started_at": started,
            "completed_at": done_at if self.onboarding_done else None,
        }
        self.add(
            "user_interests",
            *(
                {
                    "user_id": self.uid,
                    "interest_key": k,
                    "interest_label": label,
                    "created_at": started + timedelta(minutes=3),
                }
                for k, label in dict(self.interests).items()
            ),
        )
        self.add(
            "user_settings",
            *(
                {"user_id": self.uid, "key": k, "value": v, "created_at": done_at}
                for k, v in self.settings.items()
            ),
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
