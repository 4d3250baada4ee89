"""`arena runs ...`: list stored runs with who submitted them; retract one (board admin)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from arena.cli.common import DbOption, console, err_console, open_store
from arena.store.board import retract, submitted_runs

runs_app = typer.Typer(
    help="Stored runs: list them with their submitter, retract one from ranking (kept in history).",
    no_args_is_help=True,
)


@runs_app.command("list")
def list_cmd(
    build: Annotated[
        str | None, typer.Option("--build", help="Only the runs of this build id.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Every stored run: id, build, suite, hardware, submitting host and time, retraction."""
    runs = submitted_runs(open_store(db), build)
    if not runs:
        err_console.print(f"no runs{f' of build {build!r}' if build else ''}")
        return
    table = Table("run", "build", "suite", "hardware", "host", "submitted", "retracted")
    for r in runs:
        retracted = f"{r.retracted_at}: {r.retract_reason}" if r.retracted_at else "–"
        table.add_row(
            r.run_id,
            r.build_id,
            r.suite,
            r.hardware_id,
            r.submitted_by or "local",
            r.submitted_at or "–",
            retracted,
        )
    console.print(table)


@runs_app.command("retract")
def retract_cmd(
    run_id: Annotated[str, typer.Argument(help="Run id (arena runs list shows them).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why: shown beside the run on the board.")
    ],
    db: DbOption = None,
) -> None:
    """Take a run out of ranking with a reason; it stays listed in its build's runs."""
    run, changed = retract(open_store(db), run_id, reason)
    if changed:
        console.print(
            f"retracted run '{run.run_id}' of build '{run.build_id}' at {run.retracted_at}: "
            f"{run.retract_reason}",
            highlight=False,
        )
    else:
        err_console.print(
            f"run '{run.run_id}' was already retracted at {run.retracted_at} "
            f"({run.retract_reason}); the first reason stays",
            highlight=False,
        )
