"""`arena serve`: the leaderboard page and JSON API on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from arena.cli.common import DbOption, console


def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to bind (0.0.0.0 = all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the leaderboard page, the per-build pages and the read-only JSON API."""
    import uvicorn

    from arena.web import create_app

    app = create_app(db)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"The Arena at http://{shown}:{port}/  (API docs: /docs; Ctrl+C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
