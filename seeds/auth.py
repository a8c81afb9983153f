"""Access-control catalog: roles, entitlements and which role holds which entitlement.

Source: spec/000 Part 7 ("roles: admin, user, moderator"; "entitlements: basic permission set"),
columns from spec/004 migration 0001.

Shapes:

- ``ROLES``: ``{name, description, parent}``; ``parent`` is the *name* of the parent role,
  resolved to ``roles.parent_role_id``. The chain is ``user <- moderator <- admin`` (a child
  role is meant to extend its parent), but every role's entitlements are also listed
  explicitly in ``ROLE_ENTITLEMENTS``, so an access check that ignores ``parent_role_id`` and
  only joins ``user_roles -> role_entitlements -> entitlements`` gives the same answer.
- ``ENTITLEMENTS``: ``{name, resource, action, description}``; ``name`` is
  ``"<resource>:<action>"`` and is what the API checks: ``rows:read_all`` lets a viewer see
  every row of every table (admin only); ``users:read`` and ``audit_log:read`` guard the
  ``users`` and ``auditLog`` root fields and the rows of those tables;
  ``feature_flags:manage`` guards flag management.
- ``ROLE_ENTITLEMENTS``: role name -> entitlement names. ``admin`` holds every entitlement;
  ``user`` holds none: what a signed-in user may do with their own rows is decided by
  ownership, not by entitlements.

Natural keys: ``roles.name``, ``entitlements.name``, ``role_entitlements (role_id,
entitlement_id)``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

ROLES: tuple[dict[str, Any], ...] = (
    {
        "name": "user",
        "description": (
            "Every signed-in producer. Owns their own focus sessions, habits, quests, wallet "
            "and library; needs no entitlement for that."
        ),
        "parent": None,
    },
    {
        "name": "moderator",
        "description": (
            "Community helper: reads accounts and the audit log, triages and answers "
            "feedback, and curates the catalogs (market items, quests, lessons, prompts)."
        ),
        "parent": "user",
    },
    {
        "name": "admin",
        "description": (
            "Operator of the Ignition instance: everything a moderator can do plus account "
            "management, role grants, feature flags and wallet corrections."
        ),
        "parent": "moderator",
    },
)

ENTITLEMENTS: tuple[dict[str, Any], ...] = (
    {
        "name": "rows:read_all",
        "resource": "rows",
        "action": "read_all",
        "description": (
            "See every row of every table, whoever owns it (support and administration); "
            "without it another user's rows are absent."
        ),
    },
    {
        "name": "users:read",
        "resource": "users",
        "action": "read",
        "description": "List and view user accounts, their roles and activity in the admin area.",
    },
    {
        "name": "users:manage",
        "resource": "users",
        "action": "manage",
        "description": "Approve, suspend, edit or delete user accounts.",
    },
    {
        "name": "roles:manage",
        "resource": "roles",
        "action": "manage",
        "description": "Grant and revoke roles (user_roles) and edit role definitions.",
    },
    {
        "name": "audit_log:read",
        "resource": "audit_log",
        "action": "read",
        "description": "Read the security and administration audit log.",
    },
    {
        "name": "feature_flags:manage",
        "resource": "feature_flags",
        "action": "manage",
        "description": "Create feature flags and switch them on or off.",
    },
    {
        "name": "catalog:manage",
        "resource": "catalog",
        "action": "manage",
        "description": (
            "Create and edit catalog content: market items, universal quests, achievements, "
            "learn topics/lessons/drills, listening prompts, plan templates, onboarding."
        ),
    },
    {
        "name": "feedback:read",
        "resource": "feedback",
        "action": "read",
        "description": "Read every user's bug reports and feature requests.",
    },
    {
        "name": "feedback:moderate",
        "resource": "feedback",
        "action": "moderate",
        "description": "Change feedback status and priority and write the admin response.",
    },
    {
        "name": "wallet:adjust",
        "resource": "wallet",
        "action": "adjust",
        "description": "Correct a user's coins or XP through a compensating points-ledger entry.",
    },
    {
        "name": "market:refund",
        "resource": "market",
        "action": "refund",
        "description": "Refund any user's purchase (reversed through the points ledger).",
    },
)

#: role name -> entitlement names (admin: every entitlement).
ROLE_ENTITLEMENTS: dict[str, tuple[str, ...]] = {
    "admin": tuple(e["name"] for e in ENTITLEMENTS),
    "moderator": (
        "users:read",
        "audit_log:read",
        "catalog:manage",
        "feedback:read",
        "feedback:moderate",
    ),
    "user": (),
}

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
