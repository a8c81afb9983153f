"""Staff mutations of the universal quest catalog (entitlement ``catalog:manage``,
docs/admin.md): ``createUniversalQuest``, ``updateUniversalQuest``,
``deactivateUniversalQuest``, declared from the table's rules (:mod:`schema.core.catalog`;
the rules: :mod:`db.quests.catalog`)."""

from __future__ import annotations

from db.quests import catalog
from db.quests.rules import COUNTED, NUMBER
from schema.core.catalog import GAME_WORDING, catalog_mutations

_FILTERS = "; ".join(
    f"{target.upper()}: "
    + ", ".join(f"min_{a}" if kind == NUMBER else a for a, kind in sorted(attributes.items()))
    for target, attributes in sorted(COUNTED.items())
)

MUTATIONS = catalog_mutations(
    catalog.QUESTS,
    wording=GAME_WORDING,
    what="a universal quest (docs/design.md#quests)",
    notes={
        "target_type": "Only a type the activity transitions count (not `MANUAL`).",
        "target_config": f"Its filters, by target type: {_FILTERS}.",
        "skill_key": "An active skill's key.",
    },
)
