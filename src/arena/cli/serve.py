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
) -> None:
    """Serve the leaderboard page, the per-build pages and the read-only JSON API."""
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
    app = create_app(db)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"The Arena at http://{shown}:{port}/  (API docs: /docs; Ctrl+C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
