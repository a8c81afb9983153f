"""The request context the process builds for every request and websocket operation.

The context itself is the GraphQL layer's (:mod:`schema.core.context`), its reader the
database layer's (:mod:`db.reader`); the names are re-exported here for the process's modules.
"""

from __future__ import annotations

from db.connections import invalidate
from db.reader import Reader, ReaderClosedError
from schema.core.context import Context

__all__ = ["Context", "Reader", "ReaderClosedError", "invalidate"]
