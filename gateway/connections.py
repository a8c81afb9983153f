"""Slow and idle HTTP clients: a deadline for each request's head.

uvicorn bounds the idle time between two requests of a kept-alive connection
(``timeout_keep_alive``) and the connections it serves at once (``limit_concurrency``: 503
past it), but nothing bounds the time a client takes to send a request's line and headers:
a socket that connects and sends nothing, or one header byte a minute, stays open for ever
(6,000 such sockets stayed open 40 s; at about 20,000 the process ran out of file
descriptors and reset every new connection).

:class:`HeadDeadlineProtocol` is uvicorn's httptools protocol with that deadline: from the
connection (or from the first byte of a later request on it) the client has
``IGNITION_HTTP_HEADER_TIMEOUT_S`` seconds to complete the request's head; past it the
server answers ``408 Request Timeout`` and closes the connection; a head larger than
``IGNITION_HTTP_MAX_HEADER_BYTES`` gets 431 and the connection closes (httptools itself sets no
bound). The body is bounded by the
request timeout (``IGNITION_REQUEST_TIMEOUT_S`` counts from the head's end, the body's
reading included).
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.settings import get_settings

logger = logging.getLogger("ignition.http")

#: What a client whose request head came too late gets before the connection closes.
REQUEST_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 44\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"The request's headers took too long to send."
)


#: The answer to a request head larger than ``IGNITION_HTTP_MAX_HEADER_BYTES``.
HEADERS_TOO_LARGE_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 36\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"The request's headers are too large."
)


class HeadDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's head: the process
    settings' ``http_header_timeout_s`` (a module-level class, so that uvicorn can hand it
    to its worker processes; each reads the setting from its environment).

    Pass it as ``uvicorn.Config(http=HeadDeadlineProtocol)``.
    """

    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0

    @property
    def head_timeout_s(self) -> float:
        """Seconds a client has to send a request's line and headers."""
        return get_settings().http_header_timeout_s

    @property
    def max_head_bytes(self) -> int:
        """Most bytes of a request's line and headers."""
        return get_settings().http_max_header_bytes

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # the first byte of a new request on a kept-alive connection
        super().data_received(data)
        if self._head_timer is not None:  # still reading the head: all of it was head
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes and not self.transport.is_closing():
                self._disarm()
                self.transport.write(HEADERS_TOO_LARGE_RESPONSE)
                self.transport.close()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_too_late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        logger.debug("request head not received within %gs: connection closed", self.head_timeout_s)
        self.transport.write(REQUEST_TIMEOUT_RESPONSE)
        self.transport.close()


__all__ = ["HEADERS_TOO_LARGE_RESPONSE", "REQUEST_TIMEOUT_RESPONSE", "HeadDeadlineProtocol"]
