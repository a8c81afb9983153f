"""The ``ignition`` command line: serve, migrate, seed.

Every command uses ``DATABASE_URL`` when it is set; otherwise it starts the embedded PostgreSQL
in the data directory (``--data-dir`` or ``IGNITION_DATA_DIR``, default ``./.ignition``), does
its work, and stops it again.

Commands: ``serve``, ``migrate``, ``seed`` (every catalog), ``seed exercises --from FILE``,
``seed demo``, ``user create``, ``token create``.

Database work goes through :func:`_run` (embedded server lifecycle, clean errors, exit codes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gateway.connections import HeadDeadlineProtocol
from gateway.logs import logging_config
from gateway.settings import Settings

if TYPE_CHECKING:
    from seeds.exercises import ImportReport

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="ignition",
    help="Ignition Gateway: the GraphQL API of Ignition.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals would print DATABASE_URL passwords
)
seed_app = typer.Typer(
    help="Upsert reference data. Without a subcommand: every catalog.",
    invoke_without_command=True,
)
app.add_typer(seed_app, name="seed")
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(user_app, name="user")
token_app = typer.Typer(help="Manage sign-in tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Embedded PostgreSQL data directory (when DATABASE_URL is unset). "
        "(env IGNITION_DATA_DIR, default ./.ignition)",
        file_okay=False,
    ),
]

# --------------------------------------------------------------------------- serve


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind. (env IGNITION_HOST, default 127.0.0.1)")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="TCP port. (env IGNITION_PORT, default 8000)")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes on the one port, each with its own pool and event listener. "
            "(env IGNITION_WORKERS, default 1)",
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Serve the API: migrate (and seed) the database, then answer on /graphql until Ctrl-C."""
    settings = _settings(host=host, port=port, workers=workers, data_dir=data_dir)
    _describe_database(settings)
    if settings.database_url is not None:
        # Before uvicorn: a database that cannot be reached is one line, as for every other
        # command (the application's startup would fail with a long traceback).
        _run(settings, _reachable)
    if settings.workers > 1:
        _serve_workers(settings)
        return
    from gateway.app import create_app

    config = _uvicorn_config(create_app(settings), settings)
    server = _Server(config, settings)
    try:
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(server.serve())
    except KeyboardInterrupt:
        # uvicorn re-raises the SIGINT it handled, after the graceful shutdown completed.
        raise typer.Exit(130) from None
    if not server.started:
        raise typer.Exit(1)


async def _reachable(url: str) -> None:
    """Connect to ``url`` once (``SELECT 1``).

    Raises:
        OSError, sqlalchemy.exc.SQLAlchemyError: the database cannot be reached.
    """
    import sqlalchemy as sa

    from gateway.database import create_engine

    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    finally:
        await engine.dispose()


def _uvicorn_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="auto",  # uvloop when installed
        # httptools' protocol with a deadline for each request's head (gateway.connections)
        http=HeadDeadlineProtocol,
        timeout_keep_alive=settings.http_keep_alive_s,
        limit_concurrency=settings.http_max_connections,
        backlog=settings.http_backlog,
        ws="auto",
        lifespan="on",
        log_level=settings.log_level,
        log_config=logging_config(settings.log_format, settings.log_level),
        access_log=False,  # gateway.observe writes one access line per request instead
        ws_max_size=max(settings.max_body_bytes, 1),
        # Websocket ping frames; a peer that leaves one unanswered for 20 s (or the interval,
        # when longer) is disconnected: generous, so that a busy client is not cut off.
        ws_ping_interval=settings.ws_keepalive_s,
        ws_ping_timeout=max(settings.ws_keepalive_s, 20.0),
        timeout_graceful_shutdown=10,
        server_header=False,
        **options,
    )


def _serve_workers(settings: Settings) -> None:
    """``serve --workers N``: uvicorn's process manager runs N workers on one socket.

    This process resolves the database (starting the embedded server, which it owns and stops
    at the end), migrates and seeds it once, then starts the workers with ``DATABASE_URL`` set
    to it and seeding off; each worker builds the app from the environment
    (``gateway.app:create_app``), with its own pool and its own event listener.
    """
    import os

    from uvicorn.supervisors import Multiprocess

    from gateway import bootstrap
    from gateway.embedded import EmbeddedPostgres
    from gateway.metrics import multiprocess_directory

    embedded = None if settings.database_url else EmbeddedPostgres(settings.data_dir)
    try:
        url = settings.database_url or embedded.start()  # type: ignore[union-attr]
        asyncio.run(bootstrap.prepare_database(url, seed=settings.seed_on_start))
        os.environ["DATABASE_URL"] = url
        os.environ["IGNITION_SEED_ON_START"] = "false"
        os.environ["IGNITION_WORKERS"] = "1"
        config = _uvicorn_config(
            "gateway.app:create_app", settings, factory=True, workers=settings.workers
        )
        sock = config.bind_socket()
        console.print(
            f"[bold green]Starting[/] {settings.workers} workers on "
            f"http://{settings.host}:{sock.getsockname()[1]}/graphql"
        )
        # /metrics of any worker answers for all of them: a shared, fresh multiprocess
        # directory, exported before the workers start (gateway.metrics).
        with multiprocess_directory() if settings.metrics else contextlib.nullcontext():
            Multiprocess(config, sockets=[sock]).run()
    finally:
        if embedded is not None:
            embedded.stop()


class _Server(uvicorn.Server):
    """uvicorn's server, announcing the GraphQL URL once the lifespan and sockets are up."""

    def __init__(self, config: uvicorn.Config, settings: Settings) -> None:
        super().__init__(config)
        self.settings = settings
        self.created = time.perf_counter()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        port = self.settings.port
        if self.servers and self.servers[0].sockets:
            port = self.servers[0].sockets[0].getsockname()[1]
        host = self.settings.host
        if host in ("0.0.0.0", "::", ""):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        url = f"http://{host}:{port}/graphql"
        what = "GraphiQL" if self.settings.graphiql else "GraphQL endpoint"
        elapsed = time.perf_counter() - self.created
        console.print(f"[bold green]Ready[/] in {elapsed:.2f}s: {what} at [link={url}]{url}[/link]")


# --------------------------------------------------------------------------- migrate


@app.command()
def migrate(
    revision: Annotated[
        str,
        typer.Option(
            "--revision",
            "-r",
            help="Target revision: head, base, an id, +N or -N. Downgrades when the target is "
            "below the current revision.",
        ),
    ] = "head",
    data_dir: DataDirOption = None,
) -> None:
    """Migrate the database schema (to the latest revision by default)."""
    from gateway import bootstrap

    settings = _settings(data_dir=data_dir)
    _describe_database(settings)
    _log_to_console("alembic.runtime.migration")
    at = _run(settings, lambda url: bootstrap.migrate(url, revision))
    console.print(f"Database at revision [bold]{at}[/]")


# --------------------------------------------------------------------------- seed


@seed_app.callback()
def seed(ctx: typer.Context, data_dir: DataDirOption = None) -> None:
    """Migrate to head, then upsert every reference catalog (idempotent)."""
    ctx.obj = data_dir
    if ctx.invoked_subcommand is not None:
        return  # a subcommand (``seed exercises``) does the work; --data-dir is passed on
    from gateway import bootstrap

    settings = _settings(data_dir=data_dir)
    _describe_database(settings)

    async def work(url: str) -> dict[str, int]:
        await bootstrap.migrate(url, "head")
        return await bootstrap.seed_database(url)

    counts = _run(settings, work)
    table = Table(title="Seeded catalogs")
    table.add_column("catalog")
    table.add_column("rows inserted or changed", justify="right")
    for catalog, count in counts.items():
        table.add_row(catalog, str(count))
    table.add_section()
    table.add_row("[bold]total[/]", f"[bold]{sum(counts.values())}[/]")
    console.print(table)


@seed_app.command("exercises")
def seed_exercises(
    ctx: typer.Context,
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            help="JSON file of exercises to import.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    data_dir: DataDirOption = None,
) -> None:
    """Import an exercise catalog from a JSON file (upsert by natural key)."""
    from seeds.exercises import ExerciseFileError, import_exercises, read_exercise_file

    try:  # fail before starting any database when the file is not an exercise list
        read_exercise_file(source)
    except ExerciseFileError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None

    from sqlalchemy.pool import NullPool

    from gateway import bootstrap
    from gateway.database import create_engine

    settings = _settings(data_dir=data_dir if data_dir is not None else ctx.obj)
    _describe_database(settings)

    async def work(url: str) -> ImportReport:
        await bootstrap.migrate(url, "head")
        engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
        columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=console, transient=True) as progress:
                task = progress.add_task("exercises", total=None)

                def report(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                async with engine.begin() as conn:
                    return await import_exercises(conn, source, report)
        finally:
            await engine.dispose()

    try:
        result = _run(settings, work)
    except ExerciseFileError as exc:  # the file changed since it was checked
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None

    console.print(
        f"[bold]{source.name}[/]: {result.inserted} inserted, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.skipped)} skipped"
    )
    if result.skipped:
        table = Table(title="Skipped entries")
        table.add_column("entry", justify="right")
        table.add_column("reason")
        for index, reason in result.skipped[:50]:
            table.add_row(str(index), reason)
        if len(result.skipped) > 50:
            table.add_row("...", f"and {len(result.skipped) - 50} more")
        console.print(table)


@seed_app.command("demo")
def seed_demo(
    ctx: typer.Context,
    users: Annotated[int, typer.Option("--users", min=1, help="Demo users to create.")] = 3,
    random_seed: Annotated[int, typer.Option("--seed", help="Random seed (deterministic).")] = 42,
    data_dir: DataDirOption = None,
) -> None:
    """Create demo users with a realistic month of activity; print a token for demo-1."""
    from gateway import bootstrap
    from gateway.auth import create_session_token
    from seeds.demo import seed_demo as make_demo

    settings = _settings(data_dir=data_dir if data_dir is not None else ctx.obj)
    _describe_database(settings)

    async def work(url: str) -> tuple[Any, str]:
        await bootstrap.prepare_database(url)
        async with _transaction(url) as conn:
            result = await make_demo(conn, users, seed=random_seed)
            token = await create_session_token(conn, result.user_ids[0], user_agent="cli")
        return result, token

    with console.status(f"Creating {users} demo users..."):
        result, token = _run(settings, work)
    table = Table(title="Demo rows created")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in sorted(result.rows.items()):
        table.add_row(name, str(count))
    console.print(table)
    console.print("Sign in to GraphiQL as demo-1@ignition.example with the header")
    console.print('  {"Authorization": "Bearer <token>"}  using the token on the last line:')
    print(token)


# --------------------------------------------------------------------------- users and tokens


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option("--email", help="Sign-in email (unique).")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    admin: Annotated[bool, typer.Option("--admin", help="Grant the admin role.")] = False,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="Grant this seeded role too (repeatable), e.g. `auth_server` for the app's "
            "sign-in server.",
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create a user with wallet, progress, settings and onboarding state."""
    from db.auth.users import UserError, create_user
    from gateway import bootstrap

    settings = _settings(data_dir=data_dir)

    async def work(url: str) -> Any:
        await bootstrap.prepare_database(url)
        async with _transaction(url) as conn:
            return await create_user(
                conn, email=email, name=name, admin=admin, roles=tuple(role or ())
            )

    try:
        user = _run(settings, work)
    except UserError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    roles = ", ".join(user.roles)
    console.print(f"Created [bold]{escape(user.email)}[/] ({user.id}), roles: {escape(roles)}")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option("--email", help="The user to sign in.")],
    ttl: Annotated[
        int, typer.Option("--ttl", min=1, help="Lifetime in seconds (default 30 days).")
    ] = 30 * 24 * 3600,
    data_dir: DataDirOption = None,
) -> None:
    """Create a session token for a user; the token is the last line of the output."""
    from db.auth.users import UserError, user_id_by_email
    from gateway import bootstrap
    from gateway.auth import create_session_token

    settings = _settings(data_dir=data_dir)

    async def work(url: str) -> str:
        await bootstrap.migrate(url, "head")
        async with _transaction(url) as conn:
            user_id = await user_id_by_email(conn, email)
            return await create_session_token(conn, user_id, ttl_seconds=ttl, user_agent="cli")

    try:
        token = _run(settings, work)
    except UserError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"Token for [bold]{escape(email)}[/], valid {ttl} s:")
    print(token)


# --------------------------------------------------------------------------- helpers


@contextlib.asynccontextmanager
async def _transaction(url: str) -> AsyncIterator[Any]:
    """A connection in one transaction (committed on success) on a short-lived engine."""
    from sqlalchemy.pool import NullPool

    from gateway.database import create_engine

    engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
    try:
        async with engine.begin() as conn:
            yield conn
    finally:
        await engine.dispose()


def _settings(**overrides: Any) -> Settings:
    """The environment's settings with the command-line options that were given."""
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as exc:
        # Without the input values: a rejected DATABASE_URL may carry a password.
        problems = "\n".join(
            f"  {'.'.join(map(str, error['loc']))}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        )
        err_console.print(f"[red]error:[/] invalid configuration:\n{escape(problems)}")
        raise typer.Exit(2) from None


def _describe_database(settings: Settings) -> None:
    from gateway.database import display_url

    if settings.database_url is not None:
        console.print(f"Database: {display_url(settings.database_url)}")
    else:
        console.print(f"Database: embedded PostgreSQL in {settings.pgdata}")


def _log_to_console(*names: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in names:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _run(settings: Settings, work: Callable[[str], Awaitable[T]]) -> T:
    """Run ``work(url)`` against the settings' database (starting the embedded one if needed).

    Operational failures (database unreachable, migration errors, PostgreSQL tools failing)
    print one line and exit with code 1.
    """
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from gateway.database import display_url
    from gateway.embedded import database_url

    # Errors meaning "the database or the migrations are not right", not "a bug".
    operational_errors = (
        OSError,
        SQLAlchemyError,
        CommandError,
        subprocess.CalledProcessError,
        subprocess.TimeoutExpired,
    )

    async def main() -> T:
        async with database_url(settings) as url:
            return await work(url)

    try:
        return asyncio.run(main())
    except operational_errors as exc:
        where = display_url(settings.database_url) if settings.database_url else "embedded"
        err_console.print(
            f"[red]error:[/] ({where}) {type(exc).__name__}: {escape(str(exc))}", soft_wrap=True
        )
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()
