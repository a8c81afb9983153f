"""Market tables: the item catalog, users' purchases and the market transaction history.

Columns: Ignition specification, "Migration 0007: Market Substrate (Initial)" and
"Migration 0017: Market Extended", merged as docs/design.md#the-schema decides for ``market_items``
(0007's stock columns plus 0017's ``rarity`` and availability window; 0017's ``icon_url`` and
``available`` are 0007's ``icon``/``image_url`` and ``is_available``); ``user_purchases`` is 0007's,
plus ``idempotency_key``; ``market_transactions`` is 0017's, plus links to the purchase and item for
the history page. Types and defaults: Ignition specification, "Section 5: Market Tables"; the
purchase, redeem and refund flow: Ignition specification, "Market Purchase Flow" and
docs/design.md#market.

Meanings decided here: an item with ``is_global`` is offered to everyone, otherwise only to
``created_by_user_id`` (a user's custom reward); ``total_stock``/``remaining_stock`` null means
unlimited; ``uses_per_purchase`` is the number of uses one unit of a consumable grants.
``user_purchases.cost_coins`` is the total paid for ``quantity`` units and ``uses_remaining`` is
null for permanent items. ``market_transactions.coins_amount`` is the signed change of the
wallet: negative for a purchase, positive for a refund or reward, zero for a redeem.

Values chosen here (the Ignition specification lists none): ``user_purchases.status``,
``market_transactions.transaction_type``, and ``rarity``'s five tiers (common to legendary).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class ItemRarity(enum.StrEnum):
    """How rare a market item is (display and pricing tier).

    - ``common``: the everyday tier.
    - ``uncommon``: a little special.
    - ``rare``: hard to come by.
    - ``epic``: a big reward.
    - ``legendary``: the rarest tier.
    """

    COMMON = "common"
    UNCOMMON = "uncommon"
    RARE = "rare"
    EPIC = "epic"
    LEGENDARY = "legendary"


class PurchaseStatus(enum.StrEnum):
    """Where a purchase stands.

    - ``active``: owned, with uses left (or a permanent item).
    - ``redeemed``: every use consumed.
    - ``refunded``: its coins went back to the wallet.
    """

    ACTIVE = "active"
    REDEEMED = "redeemed"
    REFUNDED = "refunded"


class MarketTransactionType(enum.StrEnum):
    """What moved coins (or a use) in the market.

    - ``purchase``: coins spent on an item.
    - ``refund``: coins returned for a purchase.
    - ``redeem``: one use of a purchase consumed (no coins move).
    - ``reward``: coins received in the market.
    - ``adjustment``: an admin correction.
    """

    PURCHASE = "purchase"
    REFUND = "refund"
    REDEEM = "redeem"
    REWARD = "reward"
    ADJUSTMENT = "adjustment"


class MarketItem(Base):
    """An item of the coin market: a reward or perk a user buys with coins.

    An item is on sale while it is active, available, within its availability window and in
    stock. Global items are offered to everyone; the others only to the user who created them (a
    custom reward)."""

    __tablename__ = "market_items"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(
        unique=True, doc="The item's stable identifier (unique), used by the seeds and by links."
    )
    name: Mapped[str] = mapped_column(doc="The item's display name.")
    description: Mapped[str | None] = mapped_column(doc="What the item gives.")
    category: Mapped[str] = mapped_column(doc="The market shelf the item is shown on.")
    cost_coins: Mapped[int] = mapped_column(doc="The price of one unit, in coins.")
    icon: Mapped[str | None] = mapped_column(doc="Icon identifier shown with the item.")
    image_url: Mapped[str | None] = mapped_column(doc="URL of the item's picture.")
    is_global: Mapped[bool] = mapped_column(
        server_default="true",
        doc="Whether every user is offered the item; otherwise only its creator is.",
    )
    is_available: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether the item may be bought now (an admin switch)."
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="true",
        doc="Whether the item is listed at all; inactive items stay for past purchases.",
    )
    is_consumable: Mapped[bool] = mapped_column(
        server_default="true",
        doc="Whether a unit is used up by redeeming it (otherwise it is kept for good).",
    )
    uses_per_purchase: Mapped[int] = mapped_column(
        server_default="1", doc="The number of uses one purchased unit of a consumable gives."
    )
    total_stock: Mapped[int | None] = mapped_column(
        doc="The number of units ever offered; null means unlimited."
    )
    remaining_stock: Mapped[int | None] = mapped_column(
        doc="The number of units left to sell; null means unlimited."
    )
    created_by_user_id: Mapped[uuid.UUID | None] = fk(
        "users.id",
        nullable=True,
        ondelete="SET NULL",
        rel="creator",
        reverse="createdMarketItems",
        doc="The user who created this custom reward; null for built-in items.",
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the market (ascending)."
    )
    rarity: Mapped[ItemRarity] = mapped_column(
        server_default=ItemRarity.COMMON.value,
        doc="How rare the item is (display and pricing tier).",
    )
    available_from: Mapped[datetime | None] = mapped_column(
        doc="When the item goes on sale; null means already."
    )
    available_until: Mapped[datetime | None] = mapped_column(
        doc="When the item leaves the market; null means never."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        *non_negative("cost_coins"),
        CheckConstraint("uses_per_purchase > 0", name="uses_per_purchase_positive"),
        *non_negative("total_stock", "remaining_stock"),
        CheckConstraint("remaining_stock <= total_stock", name="remaining_within_total"),
        CheckConstraint("available_until > available_from", name="available_window_ordered"),
    )


class UserPurchase(Base):
    """One purchase of a market item by a user, with the uses it has left."""

    __tablename__ = "user_purchases"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    item_id: Mapped[uuid.UUID] = fk("market_items.id", ondelete=None, doc="The market item bought.")
    cost_coins: Mapped[int] = mapped_column(doc="The coins paid for all units of this purchase.")
    quantity: Mapped[int] = mapped_column(server_default="1", doc="The number of units bought.")
    purchased_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the item was bought."
    )
    redeemed_at: Mapped[datetime | None] = mapped_column(
        doc="When the purchase's last use was redeemed; null until then."
    )
    uses_remaining: Mapped[int | None] = mapped_column(
        doc="Uses left to redeem; null for permanent (non-consumable) items."
    )
    status: Mapped[PurchaseStatus] = mapped_column(
        server_default=PurchaseStatus.ACTIVE.value, doc="Where the purchase stands."
    )
    refunded_at: Mapped[datetime | None] = mapped_column(
        doc="When the purchase was refunded; null unless refunded."
    )
    refund_reason: Mapped[str | None] = mapped_column(doc="Why the purchase was refunded.")
    idempotency_key: Mapped[str | None] = mapped_column(
        doc="The key the purchase request carried (one purchase per key and user)."
    )

    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key"),
        *non_negative("cost_coins"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        *non_negative("uses_remaining"),
        CheckConstraint("redeemed_at >= purchased_at", name="redeemed_after_purchase"),
        CheckConstraint("refunded_at >= purchased_at", name="refunded_after_purchase"),
        CheckConstraint(
            "status <> 'redeemed' OR redeemed_at IS NOT NULL", name="redeemed_has_timestamp"
        ),
        CheckConstraint(
            "status <> 'refunded' OR refunded_at IS NOT NULL", name="refunded_has_timestamp"
        ),
    )


class MarketTransaction(Base):
    """One movement of coins (or of a use) in the market, for the user's transaction history."""

    __tablename__ = "market_transactions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    transaction_type: Mapped[MarketTransactionType] = mapped_column(doc="What moved the coins.")
    coins_amount: Mapped[int] = mapped_column(
        doc=(
            "The signed change of the wallet, in coins: negative for a purchase, "
            "positive for a refund or reward, zero for a redeem."
        )
    )
    reason: Mapped[str | None] = mapped_column(doc="Why, as shown in the history.")
    purchase_id: Mapped[uuid.UUID | None] = fk(
        "user_purchases.id",
        nullable=True,
        ondelete="SET NULL",
        doc="The purchase this transaction belongs to, if any.",
    )
    item_id: Mapped[uuid.UUID | None] = fk(
        "market_items.id",
        nullable=True,
        ondelete="SET NULL",
        doc="The market item concerned, if any.",
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        CheckConstraint(
            "transaction_type <> 'purchase' OR coins_amount <= 0", name="purchase_spends"
        ),
        CheckConstraint(
            "transaction_type NOT IN ('refund', 'reward') OR coins_amount >= 0",
            name="refund_and_reward_credit",
        ),
        CheckConstraint("transaction_type <> 'redeem' OR coins_amount = 0", name="redeem_is_free"),
    )
