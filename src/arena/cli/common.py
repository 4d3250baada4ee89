"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import enum
from typing import Annotated

import typer
from rich.console import Console

from arena.catalog import Catalog, load_catalog
from arena.store import Store

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="ARENA_DB",
        help="Database file path or SQLAlchemy URL (default: arena.db in the user data dir).",
        show_default=False,
    ),
]


class BoardFormat(enum.StrEnum):
    """Output formats of the leaderboard."""

    table = "table"
    md = "md"
    csv = "csv"
    json = "json"


def open_store(db: str | None) -> Store:
    """The store, created, migrated and seeded with the bundled data on first use."""
    return Store.open(db)


def catalog() -> Catalog:
    """Built-in catalog plus the user's config file."""
    return load_catalog()
