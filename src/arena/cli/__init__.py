"""The command line: Typer commands that build a typed config, call the library, and render."""

from arena.cli.app import app, main

__all__ = ["app", "main"]
