"""The market's rules as pure functions (Ignition specification, "Market Purchase Flow"): what a
purchase costs, how many uses it grants, whether an item is on sale to a user at a moment, and the
ledger keys of purchases and refunds.

The transitions (:mod:`db.market.transitions`) and the demo generator (``seeds/demo/ledger.py``)
both decide with these, so a demo month buys only what the API would have sold.
"""

from __future__ import annotations

import uuid
from datetime import datetime


def purchase_cost(cost_coins: int, quantity: int) -> int:
    """The total price of ``quantity`` units at ``cost_coins`` each, in coins."""
    return cost_coins * quantity


def uses_for(is_consumable: bool, uses_per_purchase: int, quantity: int) -> int | None:
    """The uses a purchase grants: ``uses_per_purchase`` per unit of a consumable, None (kept,
    never used up) for a permanent item."""
    return uses_per_purchase * quantity if is_consumable else None


def unavailable_reason(
    *,
    user_id: uuid.UUID,
    now: datetime,
    is_active: bool,
    is_available: bool,
    is_global: bool,
    created_by_user_id: uuid.UUID | None,
    available_from: datetime | None,
    available_until: datetime | None,
) -> str | None:
    """Why an item is not on sale to ``user_id`` at ``now`` (a message for
    :class:`~db.errors.ItemUnavailable`), or None when it is: it must be offered to the user
    (``is_global``, or the user's own reward), active, available, and inside its
    ``[available_from, available_until)`` window."""
    if not is_global and created_by_user_id != user_id:
        return "This item is not offered to you."
    if not is_active or not is_available:
        return "This item is not for sale."
    if available_from is not None and now < available_from:
        return f"This item is for sale from {available_from:%Y-%m-%d %H:%M} UTC."
    if available_until is not None and now >= available_until:
        return "This item is no longer for sale."
    return None


def purchase_ledger_key(purchase_id: uuid.UUID | str) -> str:
    """The ``points_ledger.idempotency_key`` of a purchase's payment."""
    return f"market.purchase:{purchase_id}"


def refund_ledger_key(purchase_id: uuid.UUID | str) -> str:
    """The ``points_ledger.idempotency_key`` of a purchase's refund (once per purchase)."""
    return f"market.refund:{purchase_id}"


__all__ = [
    "purchase_cost",
    "purchase_ledger_key",
    "refund_ledger_key",
    "unavailable_reason",
    "uses_for",
]
