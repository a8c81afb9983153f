"""Goals with milestones: the rules and the transitions (the tables are in db/habits/models.py)."""
