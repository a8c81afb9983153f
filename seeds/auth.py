"""Access-control catalog: roles, entitlements and which role holds which entitlement.

Source: Ignition specification, "Part 7: Seed Data Requirements" ("roles: admin, user, moderator";
"entitlements: basic permission set"), columns from Ignition specification,
"Migration 0001: Auth Substrate".

Data: ``seeds/data/auth/roles.json``, ``entitlements.json`` and ``role_entitlements.json``
(validated on import, :mod:`seeds.load`). Shapes:

- ``ROLES``: ``{name, description, parent}``; ``parent`` is the *name* of the parent role,
  resolved to ``roles.parent_role_id``. The chain is ``user <- moderator <- admin``: a role
  inherits its ancestors' entitlements when the viewer's are computed
  (:func:`db.auth.viewer.role_lineage`); ``admin`` also lists every entitlement itself.
  The moderator holds the feedback entitlements, ``catalog:manage``, ``users:read`` and
  ``audit_log:read``, and nothing that moves coins (docs/admin.md#roles-and-inheritance).
- ``ENTITLEMENTS``: ``{name, resource, action, description}``; ``name`` is
  ``"<resource>:<action>"`` and is what the API checks: ``rows:read_all`` lets a viewer see
  every row of every table (admin only); ``users:read`` and ``audit_log:read`` guard the
  ``users`` and ``auditLog`` root fields and the rows of those tables;
  ``feature_flags:manage`` guards flag management; ``sessions:issue`` lets the app's sign-in
  server (role ``auth_server``, which also reads users) issue sessions.
- ``ROLE_ENTITLEMENTS``: role name -> entitlement names. ``admin`` holds every entitlement;
  ``user`` holds none: what a signed-in user may do with their own rows is decided by
  ownership, not by entitlements.

Natural keys: ``roles.name``, ``entitlements.name``, ``role_entitlements (role_id,
entitlement_id)``.
"""

from __future__ import annotations

from typing import Any

from pydantic import model_validator
from sqlalchemy.ext.asyncio import AsyncConnection

from seeds.load import (
    Entry,
    SeedDataError,
    as_dicts,
    display_name,
    load_entries,
    read_json,
)
from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/auth/
# --------------------------------------------------------------------------------------------


class Role(Entry):
    """One role: ``name`` (natural key), ``description``, ``parent`` (a role name or null)."""

    name: str
    description: str
    parent: str | None


class Entitlement(Entry):
    """One entitlement: ``name`` = ``"<resource>:<action>"`` (natural key), what it allows."""

    name: str
    resource: str
    action: str
    description: str

    @model_validator(mode="after")
    def _name_is_resource_action(self) -> Entitlement:
        if self.name != f"{self.resource}:{self.action}":
            raise ValueError(f"name must be '{self.resource}:{self.action}'")
        return self


ROLES: tuple[dict[str, Any], ...] = as_dicts(load_entries("auth/roles.json", Role, key="name"))
ENTITLEMENTS: tuple[dict[str, Any], ...] = as_dicts(
    load_entries("auth/entitlements.json", Entitlement, key="name")
)


def _role_entitlements() -> dict[str, tuple[str, ...]]:
    """Role name -> entitlement names: ``admin`` holds every entitlement, the other roles
    what ``role_entitlements.json`` lists (each name checked against the entitlements)."""
    relative = "auth/role_entitlements.json"
    grants = read_json(relative)
    roles = [r["name"] for r in ROLES]
    known = {e["name"] for e in ENTITLEMENTS}
    if not isinstance(grants, dict):
        raise SeedDataError(f"{display_name(relative)}: expected an object role -> names")
    mapping: dict[str, tuple[str, ...]] = {"admin": tuple(e["name"] for e in ENTITLEMENTS)}
    for role, names in grants.items():
        where = f"{display_name(relative)}: entry {role!r}, field {role!r}"
        if role not in roles or role == "admin":
            raise SeedDataError(f"{where}: not a role of auth/roles.json (admin holds all)")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise SeedDataError(f"{where}: expected a list of entitlement names")
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SeedDataError(f"{where}: unknown entitlements {unknown}")
        mapping[role] = tuple(names)
    return mapping


#: role name -> entitlement names (admin: every entitlement).
ROLE_ENTITLEMENTS: dict[str, tuple[str, ...]] = _role_entitlements()

#: The entitlements the API checks for its admin fields; the tests assert admin holds them.
ADMIN_FIELD_ENTITLEMENTS: tuple[str, ...] = (
    "rows:read_all",
    "users:read",
    "audit_log:read",
    "feature_flags:manage",
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


async def seed(conn: AsyncConnection) -> int:
    """Upsert roles (parents first), entitlements and the role -> entitlement mapping.

    Returns the number of rows inserted or changed (0 on a second run).
    """
    changed = 0
    # Parents before children: each pass resolves the parent names seeded by earlier passes.
    for role in ROLES:
        role_ids = await ids_by(conn, "roles", "name")
        parent = role["parent"]
        changed += await upsert(
            conn,
            "roles",
            [
                {
                    "name": role["name"],
                    "description": role["description"],
                    "parent_role_id": role_ids[parent] if parent else None,
                }
            ],
            key=["name"],
        )
    changed += await upsert(
        conn,
        "entitlements",
        [
            {
                "name": e["name"],
                "resource": e["resource"],
                "action": e["action"],
                "description": e["description"],
            }
            for e in ENTITLEMENTS
        ],
        key=["name"],
        # Code-defined: the API checks these names, so their meaning is the seed's to keep.
        update=["resource", "action", "description"],
    )
    role_ids = await ids_by(conn, "roles", "name")
    entitlement_ids = await ids_by(conn, "entitlements", "name")
    mapping = [
        {"role_id": role_ids[role], "entitlement_id": entitlement_ids[name]}
        for role, names in ROLE_ENTITLEMENTS.items()
        for name in names
    ]
    changed += await upsert(conn, "role_entitlements", mapping, key=["role_id", "entitlement_id"])
    return changed


#: table -> number of rows this module seeds.
COUNTS: dict[str, int] = {
    "roles": len(ROLES),
    "entitlements": len(ENTITLEMENTS),
    "role_entitlements": sum(len(v) for v in ROLE_ENTITLEMENTS.values()),
}
