"""The embedded default: a private PostgreSQL server (pgserver) when no DATABASE_URL is given.

The cluster lives in ``<data_dir>/pgdata`` and listens on a unix socket only (no TCP port). The
data survives restarts; the server process is stopped when the last process that started or
joined it calls :meth:`EmbeddedPostgres.stop` (or exits: pgserver also stops it ``atexit``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import subprocess
import time
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import psutil

from gateway.settings import Settings

if TYPE_CHECKING:
    from pgserver import PostgresServer

logger = logging.getLogger(__name__)

#: Name of the application database created next to pgserver's ``postgres`` database.
DATABASE_NAME = "ignition"

#: Seconds to wait for leftover backends of a killed server to exit before starting a new one.
ORPHAN_WAIT_S = 5.0

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class EmbeddedPostgres:
    """A PostgreSQL 16 server owned by this gateway, in ``<data_dir>/pgdata``.

    Usage::

        server = EmbeddedPostgres(Path(".ignition"))
        url = server.start()  # postgresql://postgres:@/ignition?host=/socket/dir
        ...
        server.stop()

    Both methods block (``start`` takes about 1 s warm, a few seconds on first use when the
    cluster is created); call them through ``asyncio.to_thread`` from async code.
    """

    def __init__(self, data_dir: Path, *, database: str = DATABASE_NAME) -> None:
        """Describe the server; nothing starts until :meth:`start`.

        Args:
            data_dir: the gateway's data directory; created if missing (with its parents).
            database: the application database to create if missing (a lowercase identifier).

        Raises:
            ValueError: when ``database`` is not a plain lowercase identifier.
        """
        if not _IDENTIFIER.match(database):
            raise ValueError(f"database name must be a lowercase identifier, got {database!r}")
        self.data_dir = data_dir.expanduser().resolve()
        self.pgdata = self.data_dir / "pgdata"
        self.database = database
        self._server: PostgresServer | None = None

    @property
    def url(self) -> str:
        """The libpq URL of the application database (unix socket); only after :meth:`start`."""
        if self._server is None:
            raise RuntimeError("the embedded PostgreSQL server is not started")
        return self._server.get_uri(self.database)

    def start(self) -> str:
        """Start the server (or join the one already running on this data directory).

        Creates the cluster on first use, clears the leftovers of a killed run (a stale
        ``postmaster.pid``, dead process ids in pgserver's handle list), and creates the
        application database if it is missing.

        Returns:
            The URL of the application database, e.g.
            ``postgresql://postgres:@/ignition?host=/path/to/socket/dir``.

        Raises:
            subprocess.CalledProcessError: when ``initdb``, ``pg_ctl`` or ``psql`` fails (the
                server log is ``<data_dir>/pgdata/log``).
            RuntimeError: when leftover processes of a killed server do not go away.
        """
        if self._server is not None:
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns at import when XDG_RUNTIME_DIR is unset (containers, CI).
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            import pgserver

        started = time.perf_counter()
        if self.pgdata.exists():
            _clear_stale_state(self.pgdata)
        self._server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        try:
            self._ensure_database()
        except BaseException:
            self.stop()
            raise
        logger.info(
            "embedded PostgreSQL ready in %.2fs (pgdata %s)",
            time.perf_counter() - started,
            self.pgdata,
        )
        return self.url

    def stop(self) -> None:
        """Stop the server, unless another live process still uses it (then just leave it).

        Safe to call twice and before :meth:`start`.
        """
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.cleanup()  # pgserver: "stop" cleanup mode, reference-counted by process id
        except psutil.NoSuchProcess:
            # The server died on its own (killed) while pgserver was stopping it: nothing left.
            logger.warning("embedded PostgreSQL in %s was already gone", self.pgdata)

    def _ensure_database(self) -> None:
        assert self._server is not None
        admin_url = self._server.get_uri("postgres")
        exists_sql = f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'"
        if _psql(admin_url, exists_sql) == "1":
            return
        try:
            _psql(admin_url, f'CREATE DATABASE "{self.database}"')
        except subprocess.CalledProcessError:
            if _psql(admin_url, exists_sql) != "1":  # not a concurrent creation: a real error
                raise


@contextlib.asynccontextmanager
async def database_url(settings: Settings) -> AsyncIterator[str]:
    """The database URL to use for ``settings``, starting the embedded server if needed.

    With ``settings.database_url`` set this yields it unchanged. Otherwise it starts
    :class:`EmbeddedPostgres` in ``settings.data_dir``, yields its URL, and stops it on exit
    (also on errors and cancellation).

    Args:
        settings: the process settings.

    Yields:
        A PostgreSQL URL accepted by :func:`gateway.database.async_url`.
    """
    if settings.database_url is not None:
        yield settings.database_url
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    url = await asyncio.to_thread(embedded.start)
    try:
        yield url
    finally:
        # Synchronous on purpose: this must complete even while the task is being cancelled.
        embedded.stop()


def _psql(url: str, sql: str) -> str:
    """Run one SQL statement with pgserver's psql and return its unaligned output."""
    from pgserver._commands import POSTGRES_BIN_PATH

    args = [str(POSTGRES_BIN_PATH / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]
    result = subprocess.run(
        [*args, "-d", url, "-c", sql], check=True, capture_output=True, text=True, timeout=30
    )
    return result.stdout.strip()


def _clear_stale_state(pgdata: Path) -> None:
    """Remove what a killed gateway or a killed PostgreSQL left behind in ``pgdata``.

    - pgserver's ``.handle_pids.json`` lists the processes using the server; a killed gateway
      stays listed forever and would keep every later run from stopping the server.
    - ``postmaster.pid`` naming a dead process is left to PostgreSQL (it checks the old shared
      memory itself) once the old server's children have exited; one naming a live process that
      is not this cluster's postmaster (the pid was reused) is removed, or PostgreSQL refuses to
      start. A file cut short by a crash is removed too: pgserver cannot parse it.
    """
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        try:
            pids = [int(pid) for pid in orjson.loads(handles.read_bytes())]
        except (orjson.JSONDecodeError, TypeError, ValueError):
            pids = []
        alive = [pid for pid in pids if _is_alive(pid)]
        if alive != pids:
            handles.write_bytes(orjson.dumps(alive))

    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid = int(lines[0])
    except (FileNotFoundError, IndexError, ValueError):
        return
    if _is_postmaster_of(pid, pgdata):
        if len(lines) >= 8 and lines[7].strip() == "ready":
            return  # a healthy server from another process: pgserver joins it
        raise RuntimeError(
            f"PostgreSQL (pid {pid}) on {pgdata} is not ready (starting or stopping); retry"
        )
    _wait_for_orphans(pgdata)
    if _is_alive(pid) or len(lines) < 8:
        logger.warning("removing stale %s (pid %d is not its postmaster)", pid_file, pid)
        pid_file.unlink(missing_ok=True)


def _is_alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _is_postmaster_of(pid: int, pgdata: Path) -> bool:
    try:
        process = psutil.Process(pid)
        return (
            process.status() != psutil.STATUS_ZOMBIE
            and process.name() == "postgres"
            and Path(process.cwd()) == pgdata
        )
    except psutil.Error:
        return False


def _orphans(pgdata: Path) -> list[psutil.Process]:
    """PostgreSQL processes still working in ``pgdata`` (they chdir into the data directory)."""
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if (
                process.info["name"] == "postgres"
                and process.status() != psutil.STATUS_ZOMBIE
                and Path(process.cwd()) == pgdata
            ):
                found.append(process)
        except psutil.Error:
            continue
    return found


def _wait_for_orphans(pgdata: Path) -> None:
    """Wait for the children of a dead postmaster to exit (they notice its death), then kill."""
    orphans = _orphans(pgdata)
    if not orphans:
        return
    logger.warning("waiting for %d leftover PostgreSQL processes in %s", len(orphans), pgdata)
    _, alive = psutil.wait_procs(orphans, timeout=ORPHAN_WAIT_S)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    _, alive = psutil.wait_procs(alive, timeout=ORPHAN_WAIT_S)
    if alive:
        raise RuntimeError(f"leftover PostgreSQL processes in {pgdata}: {[p.pid for p in alive]}")
