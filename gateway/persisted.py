"""Persisted queries: Apollo's automatic persisted queries, and trusted documents.

``IGNITION_PERSISTED_QUERIES`` chooses the mode (docs/design.md#persisted-queries):

``apq`` (the default): Apollo's automatic persisted queries protocol. A request whose
``extensions`` carry ``persistedQuery: {version: 1, sha256Hash}`` may leave ``query`` out:

- a known hash runs its document; the text comes from this process's memory (a bounded LRU)
  or from the ``persisted_queries`` table, which every process shares;
- an unknown hash without a query answers ``PersistedQueryNotFound``
  (``extensions.code = "PERSISTED_QUERY_NOT_FOUND"``, HTTP 200, as Apollo Server answers it:
  Apollo Client's persisted-queries link then sends the query with its hash);
- a query with a hash registers the document, once the hash is checked (a mismatch answers
  ``provided sha does not match query``, ``PERSISTED_QUERY_HASH_MISMATCH``, HTTP 400) and the
  document parses and validates (an invalid one is not stored; the request runs and reports
  its errors as any other).

The same works over ``POST`` and ``GET`` (``extensions`` as URL-encoded JSON, as Apollo
Client's ``useGETForHashedQueries`` sends it). Requests without the extension run as before.

``trusted``: only the documents of a manifest file (``IGNITION_PERSISTED_QUERIES_MANIFEST``)
run. A request names one by its id (``extensions.persistedQuery.sha256Hash``, or
``documentId`` as the GraphQL-over-HTTP persisted documents proposal sends it), or sends its
text (accepted when its SHA-256 is the SHA-256 of a manifest document). An unknown id answers
``PERSISTED_QUERY_NOT_IN_LIST`` (HTTP 404), any other document ``QUERY_NOT_IN_SAFELIST``
(HTTP 403): Apollo Router's codes. Nothing is registered. GraphiQL is off in this mode (its
documents are not in any manifest): develop with ``apq`` or ``off``.

``off``: a request with ``extensions.persistedQuery`` answers ``PersistedQueryNotSupported``
(``PERSISTED_QUERY_NOT_SUPPORTED``, HTTP 200; Apollo Client's link then stops hashing).

Manifest formats (:func:`load_manifest`): the JSON object ``{id: document}`` that GraphQL
Code Generator's client preset (``persistedDocuments``) and Relay (``persistConfig``) write,
and Apollo's ``{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}``.

Parsing and validation: both execution paths cache them per document text
(``schema.core.protection``, ``schema.compiler``), so a known hash skips both. The text handed
out for a hash is always the same string object, whose hash Python keeps: the caches' lookups
then cost a pointer comparison instead of hashing and comparing the whole text.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import orjson
from graphql import GraphQLError, GraphQLSchema, specified_rules
from sqlalchemy.ext.asyncio import AsyncEngine

from db.events import persisted as store
from gateway.settings import Settings
from schema.core.build import request_limits, validation_rules
from schema.core.protection import parse_document, validate_document

PersistedMode = Literal["off", "apq", "trusted"]

#: A SHA-256 as Apollo Client sends it: 64 lowercase hex digits.
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: Longest document id accepted in trusted mode (characters).
MAX_ID_LENGTH = 256


class PersistedQueryError(Exception):
    """A persisted-query request refused before anything ran: the HTTP status, the error's
    message and its ``extensions.code`` (one of the ``(status, message, code)`` triples
    below)."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code

    def body(self) -> dict[str, Any]:
        """The GraphQL response of the refusal (no ``data``: nothing ran)."""
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


NOT_FOUND: tuple[int, str, str] = (200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
NOT_SUPPORTED: tuple[int, str, str] = (
    200,
    "PersistedQueryNotSupported",
    "PERSISTED_QUERY_NOT_SUPPORTED",
)
HASH_MISMATCH: tuple[int, str, str] = (
    400,
    "provided sha does not match query",
    "PERSISTED_QUERY_HASH_MISMATCH",
)
NOT_IN_LIST: tuple[int, str, str] = (
    404,
    "The persisted document is not in this server's list.",
    "PERSISTED_QUERY_NOT_IN_LIST",
)
NOT_IN_SAFELIST: tuple[int, str, str] = (
    403,
    "This server only runs its trusted documents; send the document's id "
    "(extensions.persistedQuery.sha256Hash).",
    "QUERY_NOT_IN_SAFELIST",
)


def _bad_request(message: str) -> PersistedQueryError:
    return PersistedQueryError(400, message, "BAD_REQUEST")


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8) as 64 lowercase hex digits: the APQ hash."""
    return hashlib.sha256(text.encode()).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """The trusted documents of a manifest file, id -> document text.

    Accepts GraphQL Code Generator's and Relay's ``{id: document}`` object and Apollo's
    persisted query manifest (``{"format": "apollo-persisted-query-manifest", "version": 1,
    "operations": [{"id", "name", "type", "body"}]}``).

    Raises:
        ValueError: the file is not one of these shapes (read at startup: a server with a
            broken manifest does not start).
        OSError: the file cannot be read.
    """
    data = orjson.loads(path.read_bytes())
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise ValueError(f"{path}: an Apollo manifest needs an `operations` list")
        data = {op.get("id"): op.get("body") for op in operations if isinstance(op, dict)}
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{path}: a manifest is a JSON object of document id -> document text")
    return dict(data)


class PersistedQueries:
    """Resolves the persisted-query part of GraphQL requests for one process.

    Args:
        mode: ``apq`` or ``trusted`` (``off`` needs no instance: see :func:`refuse_extension`).
        schema: the graphql-core schema registrations are validated against.
        settings: the request limits and validation rules registrations must pass, the size of
            the memory cache, and the manifest (trusted mode).
        engine_getter: the process engine (the shared table).
    """

    def __init__(
        self,
        mode: PersistedMode,
        schema: GraphQLSchema,
        settings: Settings,
        engine_getter: Callable[[], AsyncEngine],
    ) -> None:
        self.mode = mode
        self.schema = schema
        self.engine_getter = engine_getter
        self.limits = request_limits(settings)
        # The tuple the general path validates with: registration fills its cache.
        self.rules = (*specified_rules, *validation_rules(settings))
        self.hide_suggestions = bool(settings.production)
        self.cache_size: int = settings.persisted_queries_cache_size
        self._memory: OrderedDict[str, str] = OrderedDict()
        #: Trusted mode: id -> text, and the SHA-256 of every listed text -> the text.
        self.manifest: dict[str, str] = {}
        self.listed: dict[str, str] = {}
        if mode == "trusted":
            if settings.persisted_queries_manifest is None:
                raise ValueError(
                    "IGNITION_PERSISTED_QUERIES=trusted needs IGNITION_PERSISTED_QUERIES_MANIFEST"
                )
            self.manifest = load_manifest(settings.persisted_queries_manifest)
            self.listed = {sha256_hex(text): text for text in self.manifest.values()}
        #: Hashes answered from memory, from the table, registered, and not found.
        self.hits = self.loads = self.registered = self.misses = 0

    async def resolve(self, data: Mapping[str, Any]) -> str | None:
        """The document text a decoded GraphQL request runs, or None when the request has
        nothing for this module (no persisted query, and in ``apq`` mode its own ``query``).

        Args:
            data: the request object (a ``POST`` body, or a ``GET``'s parameters with
                ``extensions`` decoded).

        Raises:
            PersistedQueryError: the request is refused (see the module docstring).
        """
        query = data.get("query")
        query = query if isinstance(query, str) else None
        pq = _persisted_query(data.get("extensions"))
        if self.mode == "trusted":
            document_id = pq if pq is not None else data.get("documentId")
            return self._trusted(query, document_id)
        if pq is None:
            return None
        if not _SHA256.fullmatch(pq):
            raise _bad_request("persistedQuery.sha256Hash must be 64 lowercase hex digits.")
        known = self._memory.get(pq)
        if query is None:
            if known is not None:
                self._memory.move_to_end(pq)
                self.hits += 1
                return known
            async with self.engine_getter().connect() as conn:
                loaded = await store.fetch(conn, pq)
            if loaded is None:
                self.misses += 1
                raise PersistedQueryError(*NOT_FOUND)
            self.loads += 1
            return self._remember(pq, loaded)
        if known is not None and known == query:
            return known
        if sha256_hex(query) != pq:
            raise PersistedQueryError(*HASH_MISMATCH)
        if self._valid(query):
            async with self.engine_getter().begin() as conn:
                await store.store(conn, pq, query)
            self.registered += 1
            return self._remember(pq, query)
        return query

    def _trusted(self, query: str | None, document_id: object) -> str | None:
        if document_id is not None:
            if not isinstance(document_id, str) or len(document_id) > MAX_ID_LENGTH:
                raise _bad_request("A persisted document id must be a string.")
            text = self.manifest.get(document_id) or self.listed.get(document_id)
            if text is None:
                raise PersistedQueryError(*NOT_IN_LIST)
            if query is not None and query != text:
                raise PersistedQueryError(*HASH_MISMATCH)
            return text
        if query is None:
            return None  # no document at all: the view answers (400, or GraphiQL's 404)
        listed = self.listed.get(sha256_hex(query))
        if listed is None:
            raise PersistedQueryError(*NOT_IN_SAFELIST)
        return listed

    def _valid(self, query: str) -> bool:
        """Whether a document parses and validates within the limits (both cached, so the
        request that registers it runs without parsing it again)."""
        try:
            document = parse_document(query, self.limits)
        except GraphQLError:
            return False
        errors = validate_document(
            self.schema, document, self.rules, self.limits, hide_suggestions=self.hide_suggestions
        )
        return not errors

    def _remember(self, sha256: str, text: str) -> str:
        self._memory[sha256] = text
        while len(self._memory) > self.cache_size:
            self._memory.popitem(last=False)
        return text


def _persisted_query(extensions: object) -> str | None:
    """The ``sha256Hash`` of ``extensions.persistedQuery``, or None without one.

    Raises:
        PersistedQueryError: a malformed ``persistedQuery`` or an unsupported version.
    """
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    pq = extensions["persistedQuery"]
    if not isinstance(pq, dict):
        raise _bad_request("extensions.persistedQuery must be an object.")
    if pq.get("version") != 1:
        raise _bad_request("Unsupported persisted query version")
    sha = pq.get("sha256Hash")
    if not isinstance(sha, str):
        raise _bad_request("extensions.persistedQuery.sha256Hash must be a string.")
    return sha


def refuse_extension(data: Mapping[str, Any]) -> None:
    """With persisted queries off: refuse a request that carries ``extensions.persistedQuery``
    (Apollo Server's ``PersistedQueryNotSupported``).

    Raises:
        PersistedQueryError: ``PERSISTED_QUERY_NOT_SUPPORTED``.
    """
    extensions = data.get("extensions")
    if isinstance(extensions, dict) and "persistedQuery" in extensions:
        raise PersistedQueryError(*NOT_SUPPORTED)


__all__ = [
    "PersistedMode",
    "PersistedQueries",
    "PersistedQueryError",
    "load_manifest",
    "refuse_extension",
    "sha256_hex",
]
