"""`arena runs ...`: list stored runs with who submitted them; retract one (board admin)."""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from arena.cli.common import DbOption, console, err_console, open_store
from arena.store.board import SubmittedRun, retract, submitted_runs

runs_app = typer.Typer(
    help="Stored runs: list them with their submitter, retract one from ranking (kept in history).",
    no_args_is_help=True,
)


HEADERS = ("run", "build", "suite", "hardware", "host", "submitted", "retracted")


class RunsFormat(enum.StrEnum):
    """How `arena runs list` prints."""

    table = "table"
    json = "json"


@runs_app.command("list")
def list_cmd(
    build: Annotated[
        str | None, typer.Option("--build", help="Only the runs of this build id.")
    ] = None,
    fmt: Annotated[RunsFormat, typer.Option("--format", help="Output format.")] = RunsFormat.table,
    db: DbOption = None,
) -> None:
    """Every stored run: id, build, suite, hardware, submitting host and time, retraction."""
    runs = submitted_runs(open_store(db), build)
    if fmt is RunsFormat.json:
        sys.stdout.write(json.dumps([dataclasses.asdict(r) for r in runs], indent=1) + "\n")
        return
    if not runs:
        err_console.print(f"no runs{f' of build {build!r}' if build else ''}")
        return
    width = console.width
    table, needed = runs_table(runs, width)
    if needed <= width:
        console.print(table)
        return
    console.width = needed  # a terminal narrower than the ids and headers wraps lines, cuts none
    try:
        console.print(table, crop=False)
    finally:
        console.width = width


def runs_table(runs: list[SubmittedRun], width: int) -> tuple[Table, int]:
    """The runs as a table that cuts no value, above all no run id (`arena runs retract` takes it):
    when the boxed table is wider than `width` it loses its borders and long values fold. Also
    the width it takes at least (wider than `width` only when the ids and headers are)."""
    rows = [
        (
            r.run_id,
            r.build_id,
            r.suite,
            r.hardware_id,
            r.submitted_by or "local",
            r.submitted_at or "–",
            f"{r.retracted_at}: {r.retract_reason}" if r.retracted_at else "–",
        )
        for r in runs
    ]
    longest = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(HEADERS)]
    if sum(w + 3 for w in longest) + 1 <= width:  # a border and two spaces of padding each
        table = Table(*HEADERS)
    else:
        least = longest[0] + sum(len(h) + 1 for h in HEADERS[1:]) + 1
        width = max(width, least)
        table = Table(box=None, padding=(0, 1, 0, 0))
        for name, w in zip(HEADERS, _narrow(longest, width - len(HEADERS)), strict=True):
            table.add_column(name, overflow="fold", width=w)
    for row in rows:
        table.add_row(*row)
    return table, width


def _narrow(longest: list[int], room: int) -> list[int]:
    """Column widths within `room`: the run id whole, every header whole, then short values
    whole (suite, hardware, host) before the long ones (build, submitted, retracted) get the
    rest and fold."""
    widths = [longest[0], *(len(h) for h in HEADERS[1:])]
    for i in (2, 3, 4, 1, 5, 6):
        widths[i] += max(0, min(longest[i] - widths[i], room - sum(widths)))
    return widths


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
