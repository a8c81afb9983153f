"""Market: items to buy with coins, the viewer's purchases, the coin transaction history."""

from schema.core.spec import RootField, TableSpec, register

register(
    TableSpec("market_items", roots=(RootField("marketItems", "What coins can buy."),)),
    TableSpec("user_purchases", order=("-purchased_at",)),
)
