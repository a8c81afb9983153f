"""Staff mutations of the learn catalog (``catalog:manage``): create, change and delete
topics, lessons and drills (:mod:`db.learn.catalog`; docs/admin.md, "Content catalogs")."""

from __future__ import annotations

from db.learn import catalog
from schema.core.catalog import catalog_mutations

TOPICS_MUTATIONS = catalog_mutations(catalog.TOPICS, what="a topic of the learn catalog")
LESSONS_MUTATIONS = catalog_mutations(
    catalog.LESSONS, what="a lesson of the learn catalog (its quiz checked)"
)
DRILLS_MUTATIONS = catalog_mutations(
    catalog.DRILLS, what="an ear-training drill (its config checked against its type)"
)
