"""Random query operations over the generated schema, for the differential tests.

Written here rather than taken from hypothesis-graphql: the queries must reach real rows
(ids, cursors and filter values sampled from the database), stay within the depth and alias
limits, and mix in the features the compiler must get right (nested connections both ways
with cursors, filters, aliases, named and inline fragments, ``@include``/``@skip``, variables,
``__typename``) plus the requests the general path answers with an error (page sizes, ``first``
with ``last``, malformed cursors and ids, entitlements), which the compiler must decline.
Deterministic for a given seed.
"""

from __future__ import annotations

import enum
import json
import random
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.core import sql
from schema.core.cursor import cursor_of
from schema.core.tables import Catalog, TableInfo, camel
from schema.core.types import by_id_name

#: Rows sampled per table for ids, cursors and filter values.
SAMPLE = 8


@dataclass
class Samples:
    """Values of the database the queries refer to, per table name."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    cursors: dict[str, list[str]] = field(default_factory=dict)
    values: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    @classmethod
    async def load(cls, engine: AsyncEngine, catalog: Catalog) -> Samples:
        """Sample every table (the same rows for the same data: ordered by a hash)."""
        samples = cls()
        async with engine.connect() as conn:
            for info in catalog:
                stmt = (
                    sa.select(*info.select_columns())
                    .order_by(sa.func.md5(sa.cast(info.pk[0], sa.Text)))
                    .limit(SAMPLE)
                )
                rows = (await conn.execute(stmt)).all()
                if info.has_single_id:
                    samples.ids[info.name] = [str(row.id) for row in rows]
                samples.cursors[info.name] = [cursor_of(info).encode(row) for row in rows]
                for cf in info.columns:
                    samples.values[(info.name, cf.column.name)] = [
                        getattr(row, cf.key) for row in rows if getattr(row, cf.key) is not None
                    ]
        return samples


def _string(value: str) -> str:
    return json.dumps(value)


class QueryGenerator:
    """Builds one random operation at a time.

    Args:
        catalog: the tables.
        samples: values of the database.
        rng: the random source.
        max_depth: the deepest object nesting generated (the schema's limit is 15 levels of
            fields; a connection takes three: connection, edges, node).
        error_rate: share of connection/id arguments replaced by ones the general path
            rejects.
    """

    def __init__(
        self,
        catalog: Catalog,
        samples: Samples,
        rng: random.Random,
        *,
        max_depth: int = 3,
        error_rate: float = 0.04,
    ) -> None:
        self.catalog = catalog
        self.samples = samples
        self.rng = rng
        self.max_depth = max_depth
        self.error_rate = error_rate
        self.filter_defs = {info.name: sql.filter_defs(info) for info in catalog}
        self.roots: list[tuple[str, TableInfo, str]] = []
        for name, row in catalog.root_rows.items():
            self.roots.append((name, catalog[row.table], "row"))
        for info in catalog:
            for root in info.spec.roots:
                self.roots.append((root.name, info, "connection"))
            if info.has_single_id and info.spec.by_id and samples.ids.get(info.name):
                self.roots.append((by_id_name(info), info, "by_id"))

    # -- one operation ----------------------------------------------------------------------

    def operation(self) -> tuple[str, dict[str, Any]]:
        """A document (one named operation plus its fragments) and its variables."""
        self.variables: dict[str, tuple[str, Any]] = {}
        self.fragments: dict[str, str] = {}
        self.aliases = 0
        fields = []
        for _ in range(self.rng.choice((1, 1, 2, 3))):
            name, info, kind = self.rng.choice(self.roots)
            key = self.alias(name)
            if kind == "row":
                fields.append(f"{key}{name} {{ {self.selection(info, 1)} }}")
            elif kind == "connection":
                fields.append(f"{key}{name}{self.connection(info, 1)}")
            else:
                fields.append(
                    f"{key}{name}(id: {self.id_argument(info)}) {{ {self.selection(info, 1)} }}"
                )
        if self.rng.random() < 0.1:
            fields.append("__typename")
        header = ""
        if self.variables:
            header = "(" + ", ".join(f"${n}: {t}" for n, (t, _) in self.variables.items()) + ")"
        document = f"query Generated{header} {{ {' '.join(fields)} }}"
        for name, text in self.fragments.items():
            document += f"\nfragment {name} {text}"
        return document, {n: v for n, (_, v) in self.variables.items()}

    # -- pieces ---------------------------------------------------------------------------

    def alias(self, name: str) -> str:
        if self.aliases < 20 and self.rng.random() < 0.25:
            self.aliases += 1
            return f"a{self.aliases}_{name}: "
        return ""

    def variable(self, type_: str, value: Any) -> str:
        name = f"v{len(self.variables)}"
        self.variables[name] = (type_, value)
        return f"${name}"

    def value(self, type_: str, value: Any) -> str:
        """A literal in the document, or the same value through a variable."""
        if self.rng.random() < 0.35:
            return self.variable(type_, value)
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        return _string(value)

    def id_argument(self, info: TableInfo) -> str:
        if self.rng.random() < self.error_rate:
            return self.value("ID!", "not-an-id")
        ids = self.samples.ids[info.name] + ["00000000-0000-4000-8000-000000000000"]
        return self.value("ID!", self.rng.choice(ids))

    def directive(self) -> str:
        roll = self.rng.random()
        if roll < 0.05:
            return f" @include(if: {self.value('Boolean!', self.rng.random() < 0.5)})"
        if roll < 0.1:
            return f" @skip(if: {self.value('Boolean!', self.rng.random() < 0.5)})"
        return ""

    def selection(self, info: TableInfo, depth: int) -> str:
        """The selection set body of a row of ``info``."""
        columns = [cf.name for cf in info.columns]
        picked = self.rng.sample(columns, k=min(len(columns), self.rng.randint(1, 4)))
        parts = [f"{self.alias(name)}{name}{self.directive()}" for name in picked]
        if self.rng.random() < 0.15:
            parts.append("__typename")
        if depth < self.max_depth:
            relations = [r for r in info.relations if r.target.columns]
            for relation in self.rng.sample(
                relations, k=min(len(relations), self.rng.choice((0, 1, 1, 2)))
            ):
                key = self.alias(relation.name)
                if relation.kind == "many":
                    parts.append(
                        f"{key}{relation.name}{self.connection(relation.child, depth + 1)}"
                    )
                else:
                    parts.append(
                        f"{key}{relation.name}{self.directive()} "
                        f"{{ {self.selection(relation.target, depth + 1)} }}"
                    )
        body = " ".join(parts)
        roll = self.rng.random()
        if roll < 0.1:
            name = f"F{len(self.fragments)}"
            self.fragments[name] = f"on {info.type_name} {{ {body} }}"
            return f"...{name} id" if info.has_single_id else f"...{name}"
        if roll < 0.2:
            return f"... on {info.type_name} {{ {body} }}"
        return body

    def connection(self, info: TableInfo, depth: int) -> str:
        """Arguments and selection of a connection of ``info``."""
        args = []
        cursors = self.samples.cursors.get(info.name) or []
        error = self.rng.random() < self.error_rate
        if self.rng.random() < 0.7:
            first = self.rng.choice((None, 0, 1, 2, 3, 5, 20, 100))
            if error:
                first = self.rng.choice((101, -1))
            if first is not None:
                args.append(f"first: {self.value('Int', first)}")
            if cursors and self.rng.random() < 0.35:
                cursor = "bm90IGEgY3Vyc29y" if error else self.rng.choice(cursors)
                args.append(f"after: {self.value('String', cursor)}")
            if error and self.rng.random() < 0.3:
                args.append("last: 2")
        else:
            last = self.rng.choice((None, 1, 2, 3, 10))
            if last is not None:
                args.append(f"last: {self.value('Int', last)}")
            if cursors and self.rng.random() < 0.5:
                args.append(f"before: {self.value('String', self.rng.choice(cursors))}")
        if self.filter_defs[info.name] and self.rng.random() < 0.3:
            args.append(f"filter: {self.filter(info)}")
        parts = []
        if self.rng.random() < 0.4:
            parts.append(f"{self.alias('totalCount')}totalCount")
        if self.rng.random() < 0.5:
            names = ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"]
            chosen = self.rng.sample(names, k=self.rng.randint(1, 4))
            parts.append(f"pageInfo {{ {' '.join(chosen)} }}")
        if not parts or self.rng.random() < 0.85:
            edge = [f"node {{ {self.selection(info, depth)} }}"]
            if self.rng.random() < 0.4:
                edge.insert(0, "cursor")
            if self.rng.random() < 0.1:
                edge.append("__typename")
            parts.append(f"{self.alias('edges')}edges {{ {' '.join(edge)} }}")
        if self.rng.random() < 0.05:
            parts.append("__typename")
        arguments = f"({', '.join(args)})" if args else ""
        return f"{arguments}{self.directive()} {{ {' '.join(parts)} }}"

    def filter(self, info: TableInfo) -> str:
        """A filter input literal (or variable) from sampled values."""
        defs = self.filter_defs[info.name]
        chosen = self.rng.sample(defs, k=min(len(defs), self.rng.randint(1, 2)))
        fields: dict[str, Any] = {}
        literal_parts = []
        for d in chosen:
            name = camel(d.name)
            column = next((c.column.name for c in info.columns if c.key == d.name), None)
            sampled = self.samples.values.get((info.name, column), []) if column else []
            if (
                d.kind == "in"
                and isinstance(d.python_type, type)
                and issubclass(d.python_type, enum.Enum)
            ):
                members = list(d.python_type.__members__)
                picked = self.rng.sample(members, k=min(len(members), self.rng.randint(1, 2)))
                fields[name] = picked
                literal_parts.append(f"{name}: [{', '.join(picked)}]")
            elif d.kind == "in":
                values = sorted({str(v) for v in sampled})[:2] or ["none"]
                fields[name] = values
                literal_parts.append(f"{name}: [{', '.join(_string(v) for v in values)}]")
            elif d.kind == "eq":
                flag = self.rng.random() < 0.5
                fields[name] = flag
                literal_parts.append(f"{name}: {'true' if flag else 'false'}")
            elif d.kind == "range" and sampled:
                pivot = self.rng.choice(sampled).isoformat()
                side = self.rng.choice(("from", "to"))
                fields[name] = {side: pivot}
                literal_parts.append(f"{name}: {{ {side}: {_string(pivot)} }}")
            elif d.kind == "search":
                columns = info.spec.search
                texts = [
                    str(v) for c in columns for v in self.samples.values.get((info.name, c), [])
                ]
                text = self.rng.choice(texts) if texts else "a"
                start = self.rng.randrange(max(1, len(text) - 2))
                term = text[start : start + 3]
                fields[name] = term
                literal_parts.append(f"{name}: {_string(term)}")
        if self.rng.random() < 0.3:
            return self.variable(f"{info.type_name}Filter", fields)
        return "{ " + ", ".join(literal_parts) + " }"
