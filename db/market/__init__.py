"""Market: the coin shop catalog, purchases and the market transaction history."""
