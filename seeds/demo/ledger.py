"""Replays one demo user's month in time order and writes what the transitions would have
written: ``points_ledger`` rows, ``activity_events``, achievement unlocks, market purchases,
redeems and refunds, level-ups and ``event_outbox`` rows, and the final wallet, progress and
skill totals.

The rules (docs/design.md#ledger) hold by construction:

- every award and every spend is one ledger row with a unique ``idempotency_key``;
- a purchase only happens when the wallet can pay for it at that moment, so the balance never
  goes below zero;
- ``wallet.coins = sum(ledger.coins)``, ``total_earned`` = sum of the positive ledger coins
  other than refunds, ``total_spent`` = minus the sum of the negative ones less the refunds
  (:func:`db.gamification.ledger.wallet_totals`), ``progress.total_xp = sum(ledger.xp)``,
  levels from :mod:`db.gamification.levels`, each skill's stars = the sum of its ledger stars;
- an achievement unlocks once, at the moment its trigger reaches the threshold, and pays its
  reward through the ledger.

The rules are the transitions' own pure functions: the unlock predicate
(:func:`db.gamification.achievements.newly_reached`, ledger key
:func:`~db.gamification.achievements.achievement_ledger_key`), the XP curve
(:mod:`db.gamification.levels`, one ``level.up`` per posting as
:func:`db.gamification.ledger.post` records it), skill levels
(:func:`db.gamification.ledger.skill_level`), day streaks (:mod:`db.gamification.streaks`) and
what counts as a quest completion
(:data:`db.gamification.achievements.QUEST_COMPLETION_EVENTS`).
"""

from __future__ import annotations

import heapq
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from db.gamification.achievements import (
    QUEST_COMPLETION_EVENTS,
    achievement_ledger_key,
    newly_reached,
)
from db.gamification.ledger import skill_level, wallet_totals
from db.gamification.levels import level_for_xp, xp_remaining
from db.gamification.models import AchievementTriggerType as T
from db.gamification.streaks import DAILY_ACTIVITY, Streak, advance_day_streak, day_streaks
from db.market import rules as market_rules
from seeds.demo.catalog import Catalog, Item

Row = dict[str, Any]


@dataclass
class Transition:
    """One thing the user did, as a transition would record it.

    Attributes:
        at: when it happened (UTC).
        activity: ``activity_events.event_type``, e.g. ``focus.session.completed``.
        category: ``activity_events.category``, e.g. ``focus``.
        metadata: ``activity_events.metadata``.
        idempotency_key: the ledger row's key; None for a transition that awards nothing.
            No ledger row is written without a key, nor when XP, coins and stars are all 0.
        event_type: the ledger row's ``event_type`` (defaults to ``activity``).
        event_id: the id of the row that caused the award (a focus session id, ...).
        reason: the ledger row's human-readable reason.
        xp: XP awarded (>= 0).
        coins: coins awarded (>= 0).
        stars: skill stars awarded to ``skill_key`` (>= 0).
        counts: increments of achievement trigger counters, e.g.
            ``{"focus_sessions_completed": 1, "focus_minutes_total": 50}``.
        outbox: ``(topic, payload)`` of an ``event_outbox`` row to publish, or None.
    """

    at: datetime
    activity: str
    category: str
    metadata: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    event_type: str | None = None
    event_id: str | None = None
    reason: str | None = None
    xp: int = 0
    coins: int = 0
    stars: int = 0
    skill_key: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    outbox: tuple[str, dict[str, Any]] | None = None


@dataclass
class PurchaseIntent:
    """A wish to buy something at ``at``.

    Attributes:
        at: when the user opens the market.
        item_keys: market item keys in order of preference; the first affordable one is bought.
            When none is, the intent is tried again a day later (until ``now``).
        outcome: ``active`` (kept), ``redeemed`` (used ``after`` later) or ``refunded``
            (refunded ``after`` later).
        after: delay of the redeem or refund.
        refund_reason: the reason given for a refund.
    """

    at: datetime
    item_keys: tuple[str, ...]
    outcome: str
    after: timedelta = timedelta(hours=2)
    refund_reason: str | None = None


@dataclass
class LedgerResult:
    """What :func:`replay` produced for one user.

    Attributes:
        rows: table name -> rows to insert (``points_ledger``, ``activity_events``,
            ``user_achievements``, ``user_purchases``, ``market_transactions``,
            ``event_outbox``, ``user_skills``, ``user_streaks``).
        wallet: ``{coins, total_earned, total_spent}``.
        progress: ``{total_xp, current_level, xp_to_next_level, total_skill_stars}``.
        unlocked: achievement keys unlocked, in unlock order.
        last_activity_at: the time of the last transition (None when there was none).
    """

    rows: dict[str, list[Row]]
    wallet: dict[str, int]
    progress: dict[str, int]
    unlocked: list[str]
    last_activity_at: datetime | None


def replay(
    user_id: uuid.UUID,
    catalog: Catalog,
    transitions: list[Transition],
    intents: list[PurchaseIntent],
    *,
    now: datetime,
    streak_days: dict[str, set[date]],
) -> LedgerResult:
    """Replay ``transitions`` and ``intents`` in time order for ``user_id``.

    Args:
        user_id: the user.
        catalog: the seeded catalogs (achievements, market items, skills).
        transitions: what the user did; awards become ledger rows.
        intents: market purchases to attempt (bought only when affordable then).
        now: the current time; nothing is dated after it (unlocks and redeems that would fall
            later are moved back to ``now``).
        streak_days: ``user_streaks.streak_type`` -> the days that count for it; a
            ``daily_activity`` streak over every day with a transition is added.

    Returns:
        The rows and totals, see :class:`LedgerResult`.
    """
    ledger: list[Row] = []
    activity: list[Row] = []
    outbox: list[Row] = []
    unlock_rows: list[Row] = []
    purchases: list[Row] = []
    market: list[Row] = []

    coins = earned = spent = xp = 0
    level = 1
    rules = list(catalog.achievements)
    stars: dict[str, int] = defaultdict(int)
    counters: dict[str, int] = defaultdict(int)
    unlocked: list[str] = []
    unlocked_keys: set[str] = set()
    active_days: set[date] = set()
    daily = Streak()
    last_at: datetime | None = None

    # (time, sequence, kind, payload): kinds "t" transition, "buy" intent, "use" redeem or
    # refund of a purchase.
    queue: list[tuple[datetime, int, str, Any]] = []
    seq = 0

    def push(at: datetime, kind: str, payload: Any) -> None:
        nonlocal seq
        heapq.heappush(queue, (min(at, now), seq, kind, payload))
        seq += 1

    for tr in transitions:
        push(tr.at, "t", tr)
    for intent in intents:
        push(intent.at, "buy", intent)

    def post(
        at: datetime,
        event_type: str,
        event_id: str | None,
        *,
        coins_delta: int = 0,
        xp_delta: int = 0,
        star_delta: int = 0,
        skill_key: str | None = None,
        reason: str | None,
        key: str,
    ) -> None:
        """Write one ledger row and apply it to the totals."""
        nonlocal coins, earned, spent, xp, level
        ledger.append(
            {
                "user_id": user_id,
                "event_type": event_type,
                "event_id": event_id,
                "coins": coins_delta,
                "xp": xp_delta,
                "skill_stars": star_delta,
                "skill_key": skill_key,
                "reason": reason,
                "idempotency_key": key,
                "created_at": at,
            }
        )
        coins += coins_delta
        earned_delta, spent_delta = wallet_totals(event_type, coins_delta)
        earned += earned_delta
        spent += spent_delta
        assert coins >= 0, "demo ledger would overdraw the wallet"
        if star_delta:
            assert skill_key is not None
            stars[skill_key] += star_delta
        xp += xp_delta
        # One level.up per posting, as db.gamification.ledger.post records it.
        reached = level_for_xp(xp)
        if reached > level:
            details = {"level": reached, "previous_level": level, "total_xp": xp}
            activity.append(_activity(user_id, at, "level.up", "progress", details))
            outbox.append(
                {"topic": "level.up", "user_id": user_id, "payload": details, "created_at": at}
            )
        level = reached

    def touch(at: datetime) -> None:
        """Count ``at``'s day as active (the ``daily_activity`` streak, which the
        ``streak_days`` trigger reads: the longest streak of the user)."""
        nonlocal daily, last_at
        day = at.date()
        active_days.add(day)
        last_at = at
        daily = advance_day_streak(daily, day)
        counters[T.STREAK_DAYS] = max(counters[T.STREAK_DAYS], daily.longest)

    def check_achievements(at: datetime) -> None:
        """Unlock what the counters reach, by the transitions' own rule
        (:func:`db.gamification.achievements.newly_reached`)."""
        counters[T.LEVEL_REACHED] = level
        counters[T.COINS_EARNED_TOTAL] = earned
        for ach in newly_reached(rules, counters, unlocked_keys):
            rules.remove(ach)
            unlocked_keys.add(ach.key)
            unlocked.append(ach.key)
            unlock_id = uuid.uuid4()
            push(
                at + timedelta(seconds=1),
                "t",
                Transition(
                    at=min(at + timedelta(seconds=1), now),
                    activity="achievement.unlocked",
                    category="achievement",
                    metadata={
                        "user_achievement_id": str(unlock_id),
                        "achievement_key": ach.key,
                        "name": ach.name,
                    },
                    idempotency_key=achievement_ledger_key(ach.key),
                    event_id=ach.key,
                    reason=f"Achievement unlocked: {ach.name}",
                    xp=ach.reward_xp,
                    coins=ach.reward_coins,
                    outbox=(
                        "achievement.unlocked",
                        {"user_achievement_id": str(unlock_id), "achievement_key": ach.key},
                    ),
                ),
            )

    def on_sale(item: Item, at: datetime) -> bool:
        """The API's rules: on sale to this user at ``at``, and affordable now."""
        reason = market_rules.unavailable_reason(
            user_id=user_id,
            now=at,
            is_active=item.is_active,
            is_available=item.is_available,
            is_global=item.is_global,
            created_by_user_id=item.created_by_user_id,
            available_from=item.available_from,
            available_until=item.available_until,
        )
        return reason is None and market_rules.purchase_cost(item.cost_coins, 1) <= coins

    def buy(at: datetime, intent: PurchaseIntent) -> bool:
        item: Item | None = next(
            (
                catalog.items[k]
                for k in intent.item_keys
                if k in catalog.items and on_sale(catalog.items[k], at)
            ),
            None,
        )
        if item is None:
            return False
        purchase_id = uuid.uuid4()
        key = market_rules.purchase_ledger_key(purchase_id)
        purchase = {
            "id": purchase_id,
            "user_id": user_id,
            "item_id": item.id,
            "cost_coins": market_rules.purchase_cost(item.cost_coins, 1),
            "quantity": 1,
            "purchased_at": at,
            "redeemed_at": None,
            "uses_remaining": market_rules.uses_for(item.is_consumable, item.uses_per_purchase, 1),
            "status": "active",
            "refunded_at": None,
            "refund_reason": None,
            "idempotency_key": key,
        }
        purchases.append(purchase)
        post(
            at,
            "market.purchase",
            str(purchase_id),
            coins_delta=-item.cost_coins,
            reason=f"Bought {item.name}",
            key=key,
        )
        market.append(_market(user_id, at, "purchase", -item.cost_coins, item, purchase_id))
        activity.append(
            _activity(
                user_id,
                at,
                "market.purchased",
                "market",
                {
                    "itemKey": item.key,
                    "purchaseId": str(purchase_id),
                    "coinsSpent": item.cost_coins,
                },
            )
        )
        counters["purchases_made"] += 1
        if intent.outcome != "active":
            push(at + intent.after, "use", (purchase, item, intent))
        return True

    def use(at: datetime, purchase: Row, item: Item, intent: PurchaseIntent) -> None:
        pid = purchase["id"]
        if intent.outcome == "redeemed":
            purchase.update(status="redeemed", redeemed_at=at, uses_remaining=0)
            market.append(_market(user_id, at, "redeem", 0, item, pid))
            activity.append(
                _activity(
                    user_id,
                    at,
                    "market.redeemed",
                    "market",
                    {"itemKey": item.key, "purchaseId": str(pid)},
                )
            )
        else:
            reason = intent.refund_reason or "Changed my mind"
            purchase.update(
                status="refunded", refunded_at=at, refund_reason=reason, uses_remaining=0
            )
            post(
                at,
                "market.refund",
                str(pid),
                coins_delta=item.cost_coins,
                reason=f"Refund: {item.name}",
                key=market_rules.refund_ledger_key(pid),
            )
            market.append(_market(user_id, at, "refund", item.cost_coins, item, pid))
            activity.append(
                _activity(
                    user_id,
                    at,
                    "market.refunded",
                    "market",
                    {"itemKey": item.key, "purchaseId": str(pid), "coinsReturned": item.cost_coins},
                    coins=item.cost_coins,
                )
            )

    while queue:
        at, _, kind, payload = heapq.heappop(queue)
        if kind == "buy":
            if not buy(at, payload):
                # Cannot pay yet: the user comes back to the market a day later.
                if at + timedelta(days=1) < now:
                    push(at + timedelta(days=1), "buy", payload)
                continue
        elif kind == "use":
            use(at, *payload)
        else:
            tr = payload
            if tr.idempotency_key is not None and (tr.xp or tr.coins or tr.stars):
                post(
                    at,
                    tr.event_type or tr.activity,
                    tr.event_id,
                    coins_delta=tr.coins,
                    xp_delta=tr.xp,
                    star_delta=tr.stars,
                    skill_key=tr.skill_key,
                    reason=tr.reason,
                    key=tr.idempotency_key,
                )
            activity.append(
                _activity(
                    user_id, at, tr.activity, tr.category, tr.metadata, xp=tr.xp, coins=tr.coins
                )
            )
            if tr.activity == "achievement.unlocked":
                unlock_rows.append(
                    {
                        "id": uuid.UUID(tr.metadata["user_achievement_id"]),
                        "user_id": user_id,
                        "achievement_key": tr.event_id,
                        "earned_at": at,
                        "notified": at < now - timedelta(hours=12),
                    }
                )
            for name, inc in tr.counts.items():
                counters[name] += inc
            if tr.activity in QUEST_COMPLETION_EVENTS:
                counters[T.QUESTS_COMPLETED] += 1
            if tr.outbox is not None:
                topic, body = tr.outbox
                outbox.append(
                    {"topic": topic, "user_id": user_id, "payload": body, "created_at": at}
                )
        touch(at)
        check_achievements(at)

    skill_rows = [
        {
            "user_id": user_id,
            "skill_key": skill.key,
            "current_stars": stars.get(skill.key, 0),
            "current_level": skill_level(
                stars.get(skill.key, 0), skill.stars_per_level, skill.max_level
            ),
        }
        for skill in catalog.skills.values()
    ]
    extra = set(stars) - set(catalog.skills)
    assert not extra, f"stars for unknown skills {extra}"

    today = now.date()
    streak_rows = []
    for streak_type, days in {DAILY_ACTIVITY: active_days, **streak_days}.items():
        streak = day_streaks(days, today)
        streak_rows.append(
            {
                "user_id": user_id,
                "streak_type": streak_type,
                "current_streak": streak.current,
                "longest_streak": streak.longest,
                "last_activity_date": streak.last,
            }
        )

    assert level == level_for_xp(xp)
    return LedgerResult(
        rows={
            "points_ledger": ledger,
            "activity_events": activity,
            "user_achievements": unlock_rows,
            "user_purchases": purchases,
            "market_transactions": market,
            "event_outbox": outbox,
            "user_skills": skill_rows,
            "user_streaks": streak_rows,
        },
        wallet={"coins": coins, "total_earned": earned, "total_spent": spent},
        progress={
            "total_xp": xp,
            "current_level": level,
            "xp_to_next_level": xp_remaining(xp),
            "total_skill_stars": sum(stars.values()),
        },
        unlocked=unlocked,
        last_activity_at=last_at,
    )


def _activity(
    user_id: uuid.UUID,
    at: datetime,
    event_type: str,
    category: str,
    metadata: dict[str, Any],
    *,
    xp: int = 0,
    coins: int = 0,
) -> Row:
    return {
        "user_id": user_id,
        "event_type": event_type,
        "category": category,
        "metadata": metadata,
        "xp_earned": xp,
        "coins_earned": coins,
        "created_at": at,
    }


def _market(
    user_id: uuid.UUID,
    at: datetime,
    kind: str,
    amount: int,
    item: Item,
    purchase_id: uuid.UUID,
) -> Row:
    reasons = {
        "purchase": f"Bought {item.name}",
        "redeem": f"Used {item.name}",
        "refund": f"Refunded {item.name}",
    }
    return {
        "user_id": user_id,
        "transaction_type": kind,
        "coins_amount": amount,
        "reason": reasons[kind],
        "purchase_id": purchase_id,
        "item_id": item.id,
        "created_at": at,
    }
