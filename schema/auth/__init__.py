"""Auth and access: the viewer (``me``), users, sessions, roles and entitlements, audit log."""

from __future__ import annotations

from schema.core.spec import RootField, RowField, TableSpec, Visibility, add_root_row, register

#: Lists and reads every ``users`` row (admin area). Seeded by ``seeds.auth``.
USERS_READ = "users:read"
#: Reads every ``audit_log`` row. Seeded by ``seeds.auth``.
AUDIT_LOG_READ = "audit_log:read"

register(
    TableSpec(
        "users",
        order=("created_at",),
        roots=(RootField("users", "Every user (admin).", entitlement=USERS_READ),),
        read_entitlement=USERS_READ,
    ),
    TableSpec("verification_tokens", visibility=Visibility.ADMIN, order=("-expires",)),
    TableSpec(
        "roles", order=("name",), roots=(RootField("roles", "The roles that grant entitlements."),)
    ),
    TableSpec(
        "entitlements",
        order=("name",),
        roots=(RootField("entitlements", "The permissions roles can grant."),),
    ),
    TableSpec(
        "audit_log",
        visibility=Visibility.ADMIN,
        roots=(
            RootField(
                "auditLog", "The audit log, newest first (admin).", entitlement=AUDIT_LOG_READ
            ),
        ),
        read_entitlement=AUDIT_LOG_READ,
    ),
)


#: ``me``: the signed-in user, or null without a valid token.
add_root_row(
    "me",
    RowField(
        "users",
        "id",
        "The signed-in user (null without a valid `Authorization: Bearer` token).",
    ),
)
