"""Goals with milestones: their mutations (the ``goals`` and ``goal_milestones`` types are
generated from the tables, declared with the habits)."""

from schema.core.spec import Domain

DOMAIN = Domain()
