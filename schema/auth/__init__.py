"""Auth and access: the viewer (``me``), users, sessions, roles and entitlements, audit log."""

from __future__ import annotations

import typing
from typing import Any

import sqlalchemy as sa
import strawberry

from schema.core.spec import Domain, ExtraFilter, RootField, RowField, TableSpec, Visibility

#: Lists and reads every ``users`` row (admin area). Seeded by ``seeds.auth``.
USERS_READ = "users:read"
#: Approves and deactivates users (``approveUser``, ``deactivateUser``). Seeded by ``seeds.auth``.
USERS_MANAGE = "users:manage"
#: Reads every ``audit_log`` row. Seeded by ``seeds.auth``.
AUDIT_LOG_READ = "audit_log:read"


def _is_current(root: Any, info: strawberry.Info) -> bool:
    viewer = info.context.viewer
    return viewer is not None and viewer.session_id == root.id


def _current_field(factory: Any) -> Any:
    """``Session.current``: whether the request came with this session's token."""
    return strawberry.field(
        resolver=_is_current,
        name="current",
        description="Whether this is the session of the request's own token (the one "
        "`signOut` ends).",
    )


def _active(table: sa.Table, value: Any) -> sa.ColumnElement[bool]:
    live: sa.ColumnElement[bool] = table.c.expires_at > sa.func.now()
    return typing.cast("sa.ColumnElement[bool]", live == value)


def _equals(column: str) -> Any:
    """The clause of a filter on ``column`` as text (an id that is not a UUID matches
    nothing, instead of failing the statement)."""

    def clause(table: sa.Table, value: Any) -> sa.ColumnElement[bool]:
        return typing.cast("sa.ColumnElement[bool]", sa.cast(table.c[column], sa.Text) == value)

    return clause


#: The audit log's filters besides its status and time range (``createdAt``): who acted and
#: on what (docs/admin.md#reading-the-audit-log).
_AUDIT_FILTERS = (
    ExtraFilter(
        "actorId",
        strawberry.ID,
        _equals("user_id"),
        "Only the actions of this user (`AuditLogEntry.userId`: the staff member, or the "
        "person a refusal was denied to).",
        sa.Text(),
        str,
    ),
    ExtraFilter(
        "resourceType",
        str,
        _equals("resource_type"),
        "Only actions on this kind of row (`AuditLogEntry.resourceType`: a table name such as "
        "`market_items`, or `mutation` for a refusal).",
        sa.Text(),
    ),
    ExtraFilter(
        "resourceId",
        str,
        _equals("resource_id"),
        "Only actions on this row (`AuditLogEntry.resourceId`, e.g. a market item's id).",
        sa.Text(),
    ),
)


DOMAIN = Domain(
    tables=(
        TableSpec(
            "sessions",
            order=("-created_at",),
            filters=(
                ExtraFilter(
                    "active",
                    bool,
                    _active,
                    "True: only sessions whose token still signs in (not expired; a revoked "
                    "session is deleted); false: only expired ones.",
                    sa.Boolean(),
                ),
            ),
            extra_fields={"current": _current_field},
        ),
        TableSpec(
            "users",
            order=("created_at",),
            roots=(RootField("users", "Every user (admin).", entitlement=USERS_READ),),
            read_entitlement=USERS_READ,
        ),
        TableSpec("verification_tokens", visibility=Visibility.ADMIN, order=("-expires",)),
        TableSpec(
            "roles",
            order=("name",),
            roots=(RootField("roles", "The roles that grant entitlements."),),
        ),
        TableSpec(
            "entitlements",
            order=("name",),
            roots=(RootField("entitlements", "The permissions roles can grant."),),
        ),
        TableSpec(
            "audit_log",
            visibility=Visibility.ADMIN,
            filters=_AUDIT_FILTERS,
            roots=(
                RootField(
                    "auditLog", "The audit log, newest first (admin).", entitlement=AUDIT_LOG_READ
                ),
            ),
            read_entitlement=AUDIT_LOG_READ,
        ),
    ),
    # ``me``: the signed-in user, or null without a valid token.
    root_rows={
        "me": RowField(
            "users",
            "id",
            "The signed-in user (null without a valid `Authorization: Bearer` token).",
        ),
    },
)
