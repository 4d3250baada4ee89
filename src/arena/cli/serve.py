"""`arena serve`: the leaderboard page and JSON API on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from arena.cli.common import DbOption, console
from arena.errors import ArenaError


def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to bind (0.0.0.0 = all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
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
    """Serve the leaderboard page, the per-build pages and the JSON API (read-only unless
    --writable)."""
    import socket

    import uvicorn

    from arena.web import create_app

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ArenaError(
                f"--host {host} --port {port}: cannot listen ({exc.strerror})"
            ) from exc
    app = create_app(db, writable=writable, max_bundle_mb=max_bundle_mb, rate_per_min=rate_per_min)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"The Arena at http://{shown}:{port}/  (API docs: /docs; Ctrl+C stops)")
    if writable:
        backend = app.state.data.store.engine.url.get_backend_name()
        advice = (
            "; a board for several boxes wants PostgreSQL (--db postgresql+psycopg://...)"
            if backend == "sqlite"
            else ""
        )
        console.print(
            f"writable: POST /api/runs takes runs from hosts with a token (arena token add), "
            f"at most {max_bundle_mb:g} MB each, {rate_per_min:g} a minute per token{advice}",
            highlight=False,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")
