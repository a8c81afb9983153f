"""Staff mutations of the built-in day-plan templates (``catalog:manage``):
``createBuiltinPlanTemplate``, ``updateBuiltinPlanTemplate``, ``deleteBuiltinPlanTemplate``
(:mod:`db.planning.catalog`; docs/admin.md, "Content catalogs")."""

from __future__ import annotations

from typing import Annotated

from db.planning import catalog, rules
from schema.core.catalog import catalog_mutations
from schema.planning.mutations import PlanTemplateItemInput

PLAN_TEMPLATES_MUTATIONS = catalog_mutations(
    catalog.PLAN_TEMPLATES,
    what="a built-in day-plan template (no owner, offered to every user)",
    name="BuiltinPlanTemplate",
    types={"items": Annotated[list[PlanTemplateItemInput], rules.ITEMS]},
)
