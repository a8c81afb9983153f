"""A counting TCP proxy for the PostgreSQL wire protocol (benchmarks only).

It sits between a server under test and PostgreSQL and counts the SQL statements the server
sends, whatever its driver (asyncpg, node-postgres, ...), so that two servers are measured the
same way (``bench/postgraphile.py``'s counting phase).

What it does with each client connection:

- the startup phase: an ``SSLRequest`` or ``GSSENCRequest`` is answered ``N`` (no encryption;
  PostgreSQL never sees it); the ``StartupMessage`` (or a ``CancelRequest``) is forwarded
  byte-exactly to a new upstream connection;
- afterwards every frontend message (type byte, 4-byte length, body) is forwarded byte-exactly
  and unchanged, and the backend's bytes are copied back as they come;
- counted, per connection and in total (:class:`Counts`): each simple-query ``Q`` message and
  each extended-protocol ``E`` (Execute) message is one statement (a ``Q`` holding several
  statements separated by ``;`` still counts 1). Each is classified by its text (the ``Q`` text,
  or for ``E`` the text of the ``P`` Parse message behind the portal's ``B`` Bind): transaction
  control and settings (``BEGIN``, ``START TRANSACTION``, ``COMMIT``, ``END``, ``ROLLBACK``,
  ``ABORT``, ``SAVEPOINT``, ``RELEASE``, ``SET``, ``RESET``, ``DISCARD``, ``SHOW``,
  ``SELECT set_config(...)``), empty statements (``;``, e.g. a connection pool's ping), or
  queries (everything else). Nothing is subtracted. The proxy also keeps how many times each
  statement text was sent (:attr:`PgProxy.texts`), to show what the counts are made of.

The proxy never changes, delays on purpose or drops a message; it costs a copy per message, so
the benchmark counts in a phase of its own, never while measuring throughput.

Use from asyncio::

    proxy = PgProxy("127.0.0.1", 5432)
    port = await proxy.start()          # listens on 127.0.0.1:<port>
    ...                                 # connect to port instead of 5432
    counts = proxy.totals()             # a copy
    await proxy.close()

or from synchronous code, in a thread of its own: ``with running_proxy(host, port) as proxy:``
(:class:`ProxyThread`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import struct
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
#: How much of a statement's text :attr:`PgProxy.texts` keeps.
TEXT_PREFIX = 80
#: Frontend startup packets are at most this long (PostgreSQL's own limit is 10,000 bytes).
MAX_STARTUP_LENGTH = 10_000

_CONTROL = re.compile(
    r"""^(?:(?:begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|set|reset
    |discard|show)\b|select\s+(?:pg_catalog\.)?set_config\s*\()""",
    re.IGNORECASE | re.VERBOSE,
)
_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*\n?|/\*.*?\*/)*", re.DOTALL)


def classify(text: str) -> str:
    """The kind of one statement's text.

    Args:
        text: SQL as sent (leading blanks and comments are skipped).

    Returns:
        ``"control"`` (transaction control or a setting), ``"empty"`` (nothing but ``;`` and
        blanks) or ``"query"``.
    """
    body = _COMMENTS.sub("", text, count=1)
    if not body.strip("; \t\r\n"):
        return "empty"
    return "control" if _CONTROL.match(body) else "query"


@dataclass
class Counts:
    """Frontend messages seen (one connection or a total).

    Attributes:
        simple: ``Q`` (simple query) messages.
        executes: ``E`` (Execute) messages.
        parses: ``P`` (Parse) messages (a prepared statement's first use; not a statement).
        queries: statements (``Q`` or ``E``) classified as queries.
        control: statements that are transaction control or settings.
        empty: empty statements (``;``).
    """

    simple: int = 0
    executes: int = 0
    parses: int = 0
    queries: int = 0
    control: int = 0
    empty: int = 0

    @property
    def statements(self) -> int:
        """``Q`` plus ``E`` messages: every statement sent."""
        return self.simple + self.executes

    def add(self, other: Counts) -> None:
        """Add ``other``'s counts to these, in place."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def minus(self, other: Counts) -> Counts:
        """These counts less ``other``'s (an earlier snapshot), as a new object."""
        return Counts(
            **{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)}
        )

    def count(self, kind: str) -> None:
        """Count one statement of ``kind`` (see :func:`classify`)."""
        if kind == "control":
            self.control += 1
        elif kind == "empty":
            self.empty += 1
        else:
            self.queries += 1


@dataclass(eq=False)
class _Session:
    """One proxied connection's prepared statements and portals (names -> SQL text)."""

    counts: Counts = field(default_factory=Counts)
    statements: dict[bytes, str] = field(default_factory=dict)
    portals: dict[bytes, str] = field(default_factory=dict)


def _cstring(body: bytes, start: int) -> tuple[bytes, int]:
    end = body.index(b"\0", start)
    return body[start:end], end + 1


class PgProxy:
    """Forwards PostgreSQL connections from a local port to ``upstream`` and counts what the
    clients send (see the module docstring).

    Args:
        upstream_host: PostgreSQL's host.
        upstream_port: PostgreSQL's port.

    Attributes:
        connections: client connections proxied so far.
        texts: statement text (its first :data:`TEXT_PREFIX` characters, blanks collapsed) ->
            how many times it was sent (``Q`` or ``E``), over all connections.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.connections = 0
        self.texts: Counter[str] = Counter()
        self._closed = Counts()
        self._live: set[_Session] = set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (0: any free port); return the port."""
        self._server = await asyncio.start_server(self._serve, host, port)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and cut every proxied connection."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            await self._server.wait_closed()

    def totals(self) -> Counts:
        """Everything counted so far, over all connections, closed or open (a copy)."""
        total = Counts()
        total.add(self._closed)
        for session in list(self._live):
            total.add(session.counts)
        return total

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        session = _Session()
        upstream: asyncio.StreamWriter | None = None
        try:
            startup = await self._startup(reader, writer)
            if startup is None:
                return
            up_reader, upstream = await asyncio.open_connection(*self.upstream)
            upstream.write(startup)
            await upstream.drain()
            self.connections += 1
            self._live.add(session)
            backend = asyncio.ensure_future(_copy(up_reader, writer))
            try:
                await self._frontend(reader, upstream, session)
            finally:
                backend.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await backend
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if session in self._live:
                self._live.discard(session)
                self._closed.add(session.counts)
            for stream in (writer, upstream):
                if stream is not None:
                    stream.close()
            self._tasks.discard(task)

    async def _startup(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bytes | None:
        """Answer encryption requests with ``N``; return the startup (or cancel) packet, or
        None for anything malformed (the connection is then closed)."""
        while True:
            head = await reader.readexactly(4)
            (length,) = struct.unpack("!i", head)
            if not 8 <= length <= MAX_STARTUP_LENGTH:
                return None
            body = await reader.readexactly(length - 4)
            (code,) = struct.unpack("!i", body[:4])
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                writer.write(b"N")
                await writer.drain()
                continue
            return head + body

    async def _frontend(
        self, reader: asyncio.StreamReader, upstream: asyncio.StreamWriter, session: _Session
    ) -> None:
        """Forward typed frontend messages until the client closes, counting each."""
        while True:
            head = await reader.readexactly(5)
            (length,) = struct.unpack("!i", head[1:])
            body = await reader.readexactly(length - 4) if length > 4 else b""
            self._observe(head[:1], body, session)
            upstream.write(head + body)
            await upstream.drain()

    def _statement(self, text: str, counts: Counts) -> None:
        counts.count(classify(text))
        self.texts[" ".join(text.split())[:TEXT_PREFIX]] += 1

    def _observe(self, kind: bytes, body: bytes, session: _Session) -> None:
        counts = session.counts
        if kind == b"Q":
            counts.simple += 1
            self._statement(body.rstrip(b"\0").decode("utf-8", "replace"), counts)
        elif kind == b"P":
            counts.parses += 1
            name, at = _cstring(body, 0)
            text, _ = _cstring(body, at)
            session.statements[name] = text.decode("utf-8", "replace")
        elif kind == b"B":
            portal, at = _cstring(body, 0)
            statement, _ = _cstring(body, at)
            session.portals[portal] = session.statements.get(statement, "")
        elif kind == b"E":
            counts.executes += 1
            portal, _ = _cstring(body, 0)
            self._statement(session.portals.get(portal, "?"), counts)
        elif kind == b"C" and body[:1] == b"S":
            name, _ = _cstring(body, 1)
            session.statements.pop(name, None)


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy bytes from ``reader`` to ``writer`` until end of stream; then close ``writer``."""
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    finally:
        writer.close()


class ProxyThread:
    """A :class:`PgProxy` running in an event loop of its own, in a daemon thread, for
    synchronous callers (see :func:`running_proxy`).

    Attributes:
        port: the local port the proxy listens on (127.0.0.1).
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.proxy = PgProxy(upstream_host, upstream_port)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self.proxy.start(), self.loop).result(10)

    def totals(self) -> Counts:
        """The proxy's totals, read inside its loop (a consistent copy)."""

        async def read() -> Counts:
            return self.proxy.totals()

        return asyncio.run_coroutine_threadsafe(read(), self.loop).result(10)

    def texts(self) -> Counter[str]:
        """A copy of the proxy's :attr:`PgProxy.texts`, read inside its loop."""

        async def read() -> Counter[str]:
            return Counter(self.proxy.texts)

        return asyncio.run_coroutine_threadsafe(read(), self.loop).result(10)

    def close(self) -> None:
        """Close the proxy and stop its thread."""
        asyncio.run_coroutine_threadsafe(self.proxy.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@contextlib.contextmanager
def running_proxy(upstream_host: str, upstream_port: int) -> Iterator[ProxyThread]:
    """A :class:`ProxyThread` in front of ``upstream_host:upstream_port``, closed on exit."""
    proxy = ProxyThread(upstream_host, upstream_port)
    try:
        yield proxy
    finally:
        proxy.close()


__all__ = ["Counts", "PgProxy", "ProxyThread", "classify", "running_proxy"]
