"""Staff mutations of the platform's content (``catalog:manage``): built-in infobase entries,
onboarding flows and onboarding steps (:mod:`db.platform.catalog`; docs/admin.md, "Content
catalogs")."""

from __future__ import annotations

from db.platform import catalog
from schema.core.catalog import catalog_mutations

INFOBASE_MUTATIONS = catalog_mutations(
    catalog.INFOBASE,
    what="a built-in infobase entry (no owner, public)",
    name="BuiltinInfobaseEntry",
)
ONBOARDING_FLOWS_MUTATIONS = catalog_mutations(
    catalog.ONBOARDING_FLOWS,
    what="an onboarding flow (activating one deactivates the others)",
)
ONBOARDING_STEPS_MUTATIONS = catalog_mutations(
    catalog.ONBOARDING_STEPS,
    what="a step of an onboarding flow (its options checked as answers read them)",
)
