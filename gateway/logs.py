"""Structured logs: one configuration for the gateway's, uvicorn's and Alembic's loggers, text
or JSON lines, every line of a request carrying that request's facts.

- ``IGNITION_LOG_FORMAT=json``: one JSON object per line (python-json-logger), with
  ``timestamp``, ``level``, ``logger``, ``message`` and the request fields below; ``text``
  (the default): ``time level logger [request id] message key=value...``.
- The request fields come from the :class:`RequestRecord` of the request being served (a
  context variable set by :class:`gateway.observe.ObservationMiddleware`):
  ``request_id``, ``operation_name``, ``operation_type``, ``viewer_id``, ``statements``,
  ``outcome`` and ``duration_ms`` as far as they are known when the line is written. The
  access line (logger ``ignition.access``, one per HTTP request and per websocket operation)
  has them all.
- uvicorn's own access log is off (``ignition serve`` passes ``access_log=False``): the
  gateway's access line replaces it, so there is one line per request.

Request ids: taken from the ``X-Request-ID`` request header when it is 1-128 characters of
``A-Z a-z 0-9 . _ ~ : / + = @ -`` (what trace ids, UUIDs and base64 ids use), otherwise a new
one (32 hex digits); always returned in the ``X-Request-ID`` response header.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

#: The header a request id travels in (both directions).
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._~:/+=@-]{1,128}")

#: Loggers of the gateway's own code and of the libraries whose lines matter to an operator.
GATEWAY_LOGGERS = ("gateway", "ignition", "schema", "db", "seeds", "alembic")
#: The access log (one line per request).
ACCESS_LOGGER = "ignition.access"

LogFormat = Literal["text", "json"]


def request_id_from(header: str | None) -> str:
    """The request id of a request whose ``X-Request-ID`` header is ``header``: the header when
    it is a valid id (1-128 characters of ``A-Za-z0-9._~:/+=@-``), else a new random one."""
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


@dataclass
class RequestRecord:
    """What is known about the request (or websocket operation) being served.

    Filled by :class:`gateway.observe.ObservationMiddleware` (id, method, path, status) and by
    the GraphQL extension (operation, viewer, statements, outcome); read by every log line
    written while it is current.
    """

    request_id: str
    kind: Literal["http", "websocket"] = "http"
    method: str = ""
    path: str = ""
    started: float = field(default_factory=time.perf_counter)
    operation_name: str | None = None
    operation_type: str | None = None
    viewer_id: str | None = None
    statements: int | None = None
    outcome: str | None = None
    error_codes: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """The log fields of this record (``duration_ms`` so far); unknown ones left out."""
        values = {
            "request_id": self.request_id,
            "operation_name": self.operation_name,
            "operation_type": self.operation_type,
            "viewer_id": self.viewer_id,
            "statements": self.statements,
            "outcome": self.outcome,
            "duration_ms": round((time.perf_counter() - self.started) * 1000, 2),
        }
        return {key: value for key, value in values.items() if value is not None}


#: The record of the request this task serves (None outside requests).
current_request: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "ignition_request", default=None
)

#: Fields the text format prints after the message, in this order, when a line has them.
TEXT_FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "operation_name",
    "operation_type",
    "outcome",
    "error_codes",
    "viewer_id",
    "statements",
)


class RequestContextFilter(logging.Filter):
    """Adds the current request's fields to every record (fields given with ``extra=`` win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if request is not None:
            for key, value in request.fields().items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


class TextFormatter(logging.Formatter):
    """``2026-12-01 07:40:00,123 INFO ignition.access [<request id>] message key=value ...``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        line = super().format(record)
        extras = [
            f"{key}={_text_value(getattr(record, key))}"
            for key in TEXT_FIELDS
            if getattr(record, key, None) not in (None, [], "")
        ]
        if not extras:
            return line
        head, newline, rest = line.partition("\n")  # keep a traceback below the fields
        return f"{head} {' '.join(extras)}{newline}{rest}"


def _text_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(value)


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: ``timestamp`` (ISO 8601, UTC), ``level``, ``logger``,
    ``message``, the request fields and anything passed with ``extra=``; a traceback goes
    into ``exc_info`` as one string."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """Leave out fields without a value (``null``) and uvicorn's terminal-coloured copy of
        its message, so lines stay short."""
        return {
            key: value
            for key, value in log_data.items()
            if value is not None and key != "color_message"
        }


def _level(log_level: str) -> int:
    """A uvicorn log level name (``trace`` included) as a ``logging`` level number."""
    return 5 if log_level == "trace" else logging.getLevelName(log_level.upper())


def logging_config(log_format: LogFormat = "text", log_level: str = "info") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of a gateway process, also given to uvicorn.

    Args:
        log_format: ``"text"`` or ``"json"`` (``IGNITION_LOG_FORMAT``).
        log_level: ``IGNITION_LOG_LEVEL`` (critical, error, warning, info, debug, trace).

    Returns:
        A configuration with one stderr handler (request fields added by
        :class:`RequestContextFilter`) for uvicorn's, the gateway's and Alembic's loggers;
        uvicorn's access logger silenced (the gateway writes its own access line).
    """
    level = _level(log_level)
    handler = {"handlers": ["default"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}},
        "formatters": {
            "text": {"()": TextFormatter},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format,
                "filters": ["request"],
            }
        },
        "loggers": {
            "uvicorn": handler,
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": logging.WARNING, "propagate": False},
            **{name: handler for name in GATEWAY_LOGGERS},
            # SQLAlchemy logs pool life events (disposed, recreated) at INFO under the pool
            # class's name; they are SQLAlchemy's chatter, not the gateway's.
            "gateway.metrics.MeteredPool": {"level": logging.WARNING},
        },
        "root": {"handlers": ["default"], "level": logging.WARNING},
    }
