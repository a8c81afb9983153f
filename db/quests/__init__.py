"""Quests: the universal quest catalog, users' progress on it, and users' own quests."""
