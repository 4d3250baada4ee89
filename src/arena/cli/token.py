"""`arena token ...`: per-host write tokens of a board (only their SHA-256 is stored)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from arena.cli.common import DbOption, console, err_console, open_store
from arena.store.board import list_tokens, replace_token, revoke_token

token_app = typer.Typer(
    help="Write tokens for a board: one per host that submits runs (arena serve --writable).",
    no_args_is_help=True,
)
HostArg = Annotated[str, typer.Argument(help="Host name, e.g. spark-01 (letters, digits, . _ -).")]


@token_app.command("add")
def add_cmd(host: HostArg, db: DbOption = None) -> None:
    """Create a token for HOST (replacing its old one) and print it once, as the last line."""
    token, before = replace_token(open_store(db), host)
    if before is None:
        replaced = ""
    elif before.revoked_at is None:
        replaced = f"; the token of '{host}' made {before.created_at} no longer works"
    else:
        replaced = f"; it replaces the token of '{host}' revoked {before.revoked_at}"
    err_console.print(
        f"token for host '{host}' (shown once; the board keeps only its SHA-256{replaced}):",
        highlight=False,
        soft_wrap=True,
    )
    sys.stdout.write(token + "\n")


@token_app.command("list")
def list_cmd(db: DbOption = None) -> None:
    """Every host with a token: when it was made and whether it was revoked (never the token)."""
    tokens = list_tokens(open_store(db))
    if not tokens:
        err_console.print("no tokens (arena token add HOST)")
        return
    table = Table("host", "created", "revoked")
    for t in tokens:
        table.add_row(t.host, t.created_at, t.revoked_at or "–")
    console.print(table)


@token_app.command("revoke")
def revoke_cmd(host: HostArg, db: DbOption = None) -> None:
    """Stop HOST's token from working; the host stays listed with the time of revocation."""
    info = revoke_token(open_store(db), host)
    console.print(f"revoked the token of host '{info.host}' at {info.revoked_at}", highlight=False)
