"""Market: items to buy with coins, the viewer's purchases, the coin transaction history."""

from schema.core.spec import Domain, RootField, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec("market_items", roots=(RootField("marketItems", "What coins can buy."),)),
        TableSpec("user_purchases", order=("-purchased_at",)),
    ),
)
