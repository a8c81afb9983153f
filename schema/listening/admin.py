"""Staff mutations of the critical-listening catalog (``catalog:manage``): create, change and
deactivate prompt templates and presets (:mod:`db.listening.catalog`; docs/admin.md, "Content
catalogs")."""

from __future__ import annotations

from db.listening import catalog
from schema.core.catalog import catalog_mutations

TEMPLATES_MUTATIONS = catalog_mutations(
    catalog.TEMPLATES, what="a critical-listening prompt template"
)
PRESETS_MUTATIONS = catalog_mutations(catalog.PRESETS, what="a listening prompt preset")
