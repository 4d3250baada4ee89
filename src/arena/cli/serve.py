"""`arena serve`: the leaderboard page and JSON API on uvicorn, in one process or several."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from arena.cli.common import DbOption, console, err_console
from arena.errors import ArenaError

if TYPE_CHECKING:
    from fastapi import FastAPI

DB_ENV = "ARENA_SERVE_DB"  # the database URL the parent resolved, for each worker
OPTIONS_ENV = "ARENA_SERVE_OPTIONS"  # create_app keyword options as JSON, for each worker
HEALTHCHECK_S = 300  # seconds a worker may not answer the supervisor's ping before a restart


def worker_app() -> FastAPI:
    """The app of one uvicorn worker (an import-string factory): the parent already migrated
    and seeded the database, so opening it here writes nothing."""
    from arena.web import create_app

    options: dict[str, Any] = json.loads(os.environ.get(OPTIONS_ENV) or "{}")
    return create_app(os.environ[DB_ENV], **options)


def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to bind (0.0.0.0 = all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (PostgreSQL for more than one; each sees a new run at its "
            "next request).",
            min=1,
            max=64,
        ),
    ] = 1,
    db: DbOption = None,
    writable: Annotated[
        bool,
        typer.Option(
            "--writable",
            help="Accept runs from hosts holding a token (POST /api/runs; arena token add).",
        ),
    ] = False,
    max_bundle_mb: Annotated[
        float,
        typer.Option(
            help="With --writable: refuse a submitted run over this many MB (413).", min=0.001
        ),
    ] = 8.0,
    rate_per_min: Annotated[
        float,
        typer.Option(
            help="With --writable: runs a minute one token may send, as a burst too "
            "(429 beyond; counted per server process).",
            min=0.001,
        ),
    ] = 60.0,
) -> None:
    """Serve the leaderboard, per-build pages and the JSON API (read-only unless --writable)."""
    import socket

    import uvicorn

    from arena.dataset import open_store
    from arena.store import resolve_url
    from arena.web import create_app

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ArenaError(
                f"--host {host} --port {port}: cannot listen ({exc.strerror})"
            ) from exc
    options: dict[str, Any] = {  # create_app keyword options (JSON values: workers get them)
        "writable": writable,
        "max_bundle_mb": max_bundle_mb,
        "rate_per_min": rate_per_min,
    }
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    banner = f"The Arena at http://{shown}:{port}/  (API docs: /docs; Ctrl+C stops)"
    url = resolve_url(db)
    if writable:
        advice = (
            "; a board for several boxes wants PostgreSQL (--db postgresql+psycopg://...)"
            if url.startswith("sqlite")
            else ""
        )
        writes = (
            f"writable: POST /api/runs takes runs from hosts with a token (arena token add), "
            f"at most {max_bundle_mb:g} MB each, {rate_per_min:g} a minute per token per "
            f"worker{advice}"
        )
    if workers == 1:
        app = create_app(db, **options)
        console.print(banner)
        if writable:
            console.print(writes, highlight=False)
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    open_store(url).close()  # migrate and seed once, before workers could race to do it
    if url.startswith("sqlite"):
        err_console.print(
            f"warning: --workers {workers} on SQLite: fine for reading; writes from several "
            "processes queue on one file lock (use PostgreSQL for a board that takes runs)",
            highlight=False,
        )
    os.environ[DB_ENV] = url
    os.environ[OPTIONS_ENV] = json.dumps(options)
    console.print(f"{banner} · {workers} workers")
    if writable:
        console.print(writes, highlight=False)
    uvicorn.run(
        "arena.cli.serve:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # a worker loading and ranking a large board holds the GIL for seconds at a time; the
        # supervisor's health ping (5 s by default) would kill and restart it mid-load
        timeout_worker_healthcheck=HEALTHCHECK_S,
    )
