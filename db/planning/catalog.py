"""Staff edits of the built-in day-plan templates (``plan_templates`` rows without an owner,
offered to every user), declared as a :class:`~db.auth.staff.CatalogTable` (docs/admin.md,
"Content catalogs").

The columns are checked by the rules of users' own templates
(:data:`db.planning.rules.TEMPLATE_FIELDS`, but ``is_public``: a built-in template is public);
a built-in template's name is unique among the built-in ones. ``plan_templates`` has no active
column: a built-in template is deleted only while no row refers to it.
"""

from __future__ import annotations

from db import metadata
from db.auth.staff import CatalogTable
from db.planning.rules import TEMPLATE_FIELDS

PLAN_TEMPLATES = CatalogTable(
    table=metadata.tables["plan_templates"],
    resource="PlanTemplate",
    rules={k: v for k, v in TEMPLATE_FIELDS.items() if k != "is_public"},
    required=("name", "items"),
    scope={"user_id": None},
    fixed={"is_public": True},
    unique=("name",),
    active=None,
)

__all__ = ["PLAN_TEMPLATES"]
