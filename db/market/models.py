"""Market tables: the item catalog, users' purchases and the market transaction history.

Columns: spec/004 migrations 0007 and 0017, merged as DESIGN.md section 2 decides for
``market_items`` (0007's stock columns plus 0017's ``rarity`` and availability window; 0017's
``icon_url`` and ``available`` are 0007's ``icon``/``image_url`` and ``is_available``);
``user_purchases`` is 0007's, plus ``idempotency_key``; ``market_transactions`` is 0017's, plus
links to the purchase and item for the history page. Types and defaults: spec/003 section 5;
the purchase, redeem and refund flow: spec/003 "Market Purchase Flow" and DESIGN.md section 3.

Meanings decided here: an item with ``is_global`` is offered to everyone, otherwise only to
``created_by_user_id`` (a user's custom reward); ``total_stock``/``remaining_stock`` null means
unlimited; ``uses_per_purchase`` is the number of uses one unit of a consumable grants.
``user_purchases.cost_coins`` is the total paid for ``quantity`` units and ``uses_remaining`` is
null for permanent items. ``market_transactions.coins_amount`` is the signed change of the
wallet: negative for a purchase, positive for a refund or reward, zero for a redeem.

Values chosen here (spec/003 lists none): ``user_purchases.status``,
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
    """How rare a market item is (display and pricing tier)."""

    COMMON = "common"
    UNCOMMON = "uncommon"
    RARE = "rare"
    EPIC = "epic"
    LEGENDARY = "legendary"


class PurchaseStatus(enum.StrEnum):
    """A purchase is ``active`` while owned with uses left (or permanent), ``redeemed`` once all
    its uses are consumed, ``refunded`` when its coins went back to the wallet."""

    ACTIVE = "active"
    REDEEMED = "redeemed"
    REFUNDED = "refunded"


class MarketTransactionType(enum.StrEnum):
    """What moved coins (or a use) in the market."""

    PURCHASE = "purchase"
    REFUND = "refund"
    REDEEM = "redeem"
    REWARD = "reward"
    ADJUSTMENT = "adjustment"


class MarketItem(Base):
    __tablename__ = "market_items"

    id: Mapped[UUIDPK]
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str]
    cost_coins: Mapped[int]
    icon: Mapped[str | None]
    image_url: Mapped[str | None]
    is_global: Mapped[bool] = mapped_column(server_default="true")
    is_available: Mapped[bool] = mapped_column(server_default="true")
    is_active: Mapped[bool] = mapped_column(server_default="true")
    is_consumable: Mapped[bool] = mapped_column(server_default="true")
    uses_per_purchase: Mapped[int] = mapped_column(server_default="1")
    total_stock: Mapped[int | None]
    remaining_stock: Mapped[int | None]
    created_by_user_id: Mapped[uuid.UUID | None] = fk(
        "users.id",
        nullable=True,
        ondelete="SET NULL",
        rel="creator",
        reverse="createdMarketItems",
    )
    sort_order: Mapped[int] = mapped_column(server_default="0")
    rarity: Mapped[ItemRarity] = mapped_column(server_default=ItemRarity.COMMON.value)
    available_from: Mapped[datetime | None]
    available_until: Mapped[datetime | None]
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
    __tablename__ = "user_purchases"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    item_id: Mapped[uuid.UUID] = fk("market_items.id", ondelete=None)
    cost_coins: Mapped[int]
    quantity: Mapped[int] = mapped_column(server_default="1")
    purchased_at: Mapped[datetime] = mapped_column(server_default=func.now())
    redeemed_at: Mapped[datetime | None]
    uses_remaining: Mapped[int | None]
    status: Mapped[PurchaseStatus] = mapped_column(server_default=PurchaseStatus.ACTIVE.value)
    refunded_at: Mapped[datetime | None]
    refund_reason: Mapped[str | None]
    idempotency_key: Mapped[str | None]

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
    """One coin movement in the market, for the transaction history (spec/004 0017)."""

    __tablename__ = "market_transactions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    transaction_type: Mapped[MarketTransactionType]
    coins_amount: Mapped[int]
    reason: Mapped[str | None]
    purchase_id: Mapped[uuid.UUID | None] = fk(
        "user_purchases.id", nullable=True, ondelete="SET NULL"
    )
    item_id: Mapped[uuid.UUID | None] = fk("market_items.id", nullable=True, ondelete="SET NULL")
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
