"""Tables and the rules that change them: one package per domain (docs/design.md#layers).

Importing this package registers all 75 tables on :data:`metadata`. :data:`DOMAINS` lists the
domains in foreign-key order, the order of the initial migrations.
"""

from types import ModuleType

from db.auth import models as auth
from db.base import Base
from db.books import models as books
from db.events import models as events
from db.fitness import models as fitness
from db.focus import models as focus
from db.gamification import models as gamification
from db.habits import models as habits
from db.learn import models as learn
from db.listening import models as listening
from db.market import models as market
from db.planning import models as planning
from db.platform import models as platform
from db.quests import models as quests
from db.reference import models as reference

metadata = Base.metadata

_ORDER: tuple[ModuleType, ...] = (
    auth, gamification, reference, listening, focus, habits, quests, fitness, planning,
    market, books, learn, platform, events,
)  # fmt: skip


def _domain_tables(module: ModuleType) -> list[str]:
    names = {
        mapper.class_.__tablename__
        for mapper in Base.registry.mappers
        if mapper.class_.__module__ == module.__name__
    }
    return [table.name for table in metadata.sorted_tables if table.name in names]


#: Tables added by a later revision than their domain's initial one: table -> revision.
LATER_TABLES: dict[str, str] = {"idempotency_keys": "0015", "persisted_queries": "0021"}

#: Domain package -> its table names, in foreign-key order (one initial revision per domain,
#: which creates them all except :data:`LATER_TABLES`).
DOMAINS: dict[str, list[str]] = {m.__name__.split(".")[1]: _domain_tables(m) for m in _ORDER}

__all__ = ["DOMAINS", "LATER_TABLES", "Base", "metadata"]
