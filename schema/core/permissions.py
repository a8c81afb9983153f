"""Permissions declared where fields are declared (Saleor's habit), never checked ad hoc."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission


class IsAuthenticated(BasePermission):
    """The request carries a valid session token."""

    message = "Sign in first: send `Authorization: Bearer <token>`."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None


class HasEntitlement(BasePermission):
    """The viewer holds ``entitlement`` through one of their roles (``roles`` ->
    ``role_entitlements`` -> ``entitlements``).

    A signed-in viewer without it gets ``FORBIDDEN``; an anonymous request gets
    ``UNAUTHENTICATED`` (signing in may be all it takes), as :class:`IsAuthenticated` answers.
    """

    error_extensions = {"code": "FORBIDDEN"}

    def __init__(self, entitlement: str) -> None:
        self.entitlement = entitlement
        self.message = f"This field requires the `{entitlement}` entitlement."

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        """Whether the viewer holds the entitlement.

        Raises:
            GraphQLError: ``UNAUTHENTICATED``, for an anonymous request.
        """
        viewer = info.context.viewer
        if viewer is None:
            raise GraphQLError(IsAuthenticated.message, extensions=IsAuthenticated.error_extensions)
        return bool(viewer.has(self.entitlement))
