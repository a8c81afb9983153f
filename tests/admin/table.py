"""The entitlement table of docs/admin.md, from the declarations and the seed data:
``PYTHONPATH=. python -m tests.admin.table`` prints it; tests/admin/test_docs.py checks that
the page holds it as printed."""

from __future__ import annotations

from schema.core import mutations
from seeds.auth import ROLE_ENTITLEMENTS, ROLES

#: The roles of a person, in the table's order (``auth_server`` is the sign-in service).
TABLE_ROLES = ("user", "moderator", "admin", "auth_server")


def held(role: str) -> frozenset[str]:
    """The entitlements a seeded role grants: its own and those of its ancestors (``parent``,
    seeds/data/auth/roles.json)."""
    parents = {r["name"]: r["parent"] for r in ROLES}
    names: set[str] = set()
    current: str | None = role
    while current is not None:
        names |= set(ROLE_ENTITLEMENTS.get(current, ()))
        current = parents[current]
    return frozenset(names)


def entitlement_table() -> str:
    """The Markdown table: one row per mutation declared with an entitlement, by name."""
    rows = [
        "| mutation | entitlement | roles allowed |",
        "| --- | --- | --- |",
    ]
    for name, d in sorted(mutations.declared().items()):
        if d.entitlement is None:
            continue
        allowed = [role for role in TABLE_ROLES if d.entitlement in held(role)]
        rows.append(f"| `{name}` | `{d.entitlement}` | {', '.join(allowed)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(entitlement_table())
