"""`arena submit`: send local runs to a board (`arena serve --writable`) through the outbox."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from arena.cli.common import DbOption, console, err_console, open_store
from arena.errors import ArenaError
from arena.store import Store, outbox
from arena.submit import (
    EXIT_USAGE,
    RunOutcome,
    Status,
    SubmitOptions,
    SubmitReport,
    Verdict,
    board_url,
    exit_code,
    submit,
)

EXIT_CODES = (
    "Exit codes: 0 every run delivered (created on the board, or there already), or nothing to "
    "send; 1 some run was refused for good (409 same id with other content, 413 too large, 422 a "
    "bad field), see its line; 2 bad input (option, URL, run id), nothing sent; 4 the board was "
    "unreachable or answered 5xx / 429 after the retries: the runs stay in the outbox and the next "
    "`arena submit --to URL` delivers them; 5 the token was refused (401), nothing more sent: "
    "with a new token (`arena token add HOST` on the board) the next submit delivers them."
)
BUNDLED_NOTE = (
    "Runs of the bundled datasets (origin dataset:...) are someone else's measurements and are "
    "not sent unless --include-bundled."
)
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="ARENA_TOKEN",
        help="The board's write token for this host (arena token add HOST on the board).",
        show_default=False,
    ),
]


def submit_cmd(
    to: Annotated[str, typer.Option("--to", help="The board's URL, e.g. http://board.lan:8000.")],
    token: TokenOpt = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Send this one run (arena runs list shows the ids).")
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds per request to the board, connecting included.")
    ] = 30.0,
    retries: Annotated[
        int, typer.Option(help="Tries again per run after no answer, 5xx or 429 (backoff).")
    ] = 4,
    include_bundled: Annotated[
        bool, typer.Option("--include-bundled", help="Also send the bundled datasets' runs.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Send every local run the board has not acknowledged (or one, --run) and report each."""
    try:
        options = submit_options(to, token, timeout, retries)
        store = open_store(db)
        if run is not None:
            origin = outbox.run_origin(store, run)
            if origin is None:
                raise ArenaError(f"--run {run!r}: no such run in the local database")
            if origin.startswith(outbox.BUNDLED_ORIGIN) and not include_bundled:
                raise ArenaError(
                    f"--run {run!r}: a run of the bundled dataset ({origin}); "
                    "add --include-bundled to send it"
                )
    except ArenaError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    with _Bar() as bar:
        report = submit(store, options, [run] if run else None, include_bundled, on_run=bar.on_run)
    console.print(summary(report), highlight=False, soft_wrap=True)
    raise typer.Exit(exit_code(report))


def submit_options(
    to: str, token: str | None, timeout: float = 30.0, retries: int = 4
) -> SubmitOptions:
    """The checked options: one line naming the first bad one."""
    target = board_url(to)
    if not token or not token.strip():
        raise ArenaError("--token: missing; give the board's token for this host or ARENA_TOKEN")
    if not (math.isfinite(timeout) and timeout > 0):
        raise ArenaError(f"--timeout {timeout:g}: expected seconds, a finite number above 0")
    if retries < 0:
        raise ArenaError(f"--retries {retries}: expected a whole number, 0 or more")
    return SubmitOptions(target, token.strip(), timeout, retries)


def outcome_line(o: RunOutcome) -> str:
    """One line per run: what the board said, under which id, or why it did not take it."""
    if o.status in (Status.CREATED, Status.EXISTS):
        same = o.board_run_id == o.run_id
        where = "" if same else f" as {o.board_run_id}"
        build = f" (build {o.build_id})" if o.build_id else ""
        return f"{o.status:<8} {o.run_id}{where}{build}"
    return f"{o.status:<8} {o.run_id}: {o.reason}"


def summary(report: SubmitReport) -> str:
    """The submit in one line, with the command that delivers what waits."""
    if not report.outcomes:
        return nothing_sent(report)
    counts = ", ".join(
        f"{report.count(s)} {label}"
        for s, label in (
            (Status.CREATED, "created"),
            (Status.EXISTS, "there already"),
            (Status.FAILED, "failed"),
            (Status.WAITING, "waiting in the outbox"),
        )
    )
    line = f"{report.target}: {len(report.outcomes)} run(s) sent or queued: {counts}"
    if report.count(Status.WAITING):
        line += f"; {next_step(report.target, report.stopped, 'the waiting ones')}"
    return line


def nothing_sent(report: SubmitReport) -> str:
    """Why a submit sent nothing, in true counts: it never claims a delivery that did not happen."""
    done = "exit 0: nothing failed"
    if report.asked is not None:
        runs = "; ".join(
            f"run {e.run_id} was delivered to {report.target} already, at {e.delivered_at}, "
            f"as {e.board_run_id} on the board"
            for e in report.delivered_before
        )
        return f"nothing to send: {runs or 'no run asked for'} ({done})"
    why = []
    if report.bundled_held:
        why.append(
            f"{report.bundled_held} run(s) of bundled datasets stay home "
            "(--include-bundled sends them)"
        )
    why.append(f"{len(report.delivered_before)} already delivered to {report.target}")
    return f"nothing to send: {'; '.join(why)} ({done})"


def next_step(target: str, stopped: Verdict | None, what: str, tick: str = "`") -> str:
    """What the user does next for runs left in the outbox: after a 401 first a new token."""
    again = f"{tick}arena submit --to {target}{tick}"
    if stopped is Verdict.UNAUTHORIZED:
        return (
            f"the board refused the token (401): get a new one ({tick}arena token add HOST{tick} "
            f"on the board), then {again} with it (--token or ARENA_TOKEN) delivers {what}"
        )
    return f"{again} delivers {what}"


def submit_after_bench(store: Store, options: SubmitOptions, run_id: str | None) -> None:
    """`arena bench --submit`: send the run just stored; whatever happens, the bench stands."""
    if run_id is None:
        err_console.print("submit: no new run was measured; nothing to send", highlight=False)
        return
    stopped: Verdict | None = None
    try:
        report = submit(store, options, [run_id])
        outcome, stopped = report.outcomes[0], report.stopped
    except Exception as exc:  # a delivery problem must never fail or lose the bench
        why = str(exc) or type(exc).__name__
        outcome = RunOutcome(run_id, Status.WAITING, reason=f"not sent: {why}")
    if outcome.status in (Status.CREATED, Status.EXISTS):
        err_console.print(f"submit: {outcome_line(outcome)}", highlight=False, markup=False)
        return
    refused = "was refused" if outcome.status is Status.FAILED else "was not delivered"
    err_console.print(
        f"submit: run {run_id} {refused} ({outcome.reason}); it waits in the outbox: "
        f"{next_step(options.target, stopped, 'it', tick='')}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


class _Bar:
    """A bar on stderr while many runs go out (a terminal only); each run's line on stdout."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("submitting"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err_console,
            disable=not err_console.is_terminal,
            transient=True,
        )
        self.task = self.bar.add_task("runs", total=None)

    def __enter__(self) -> _Bar:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def on_run(self, outcome: RunOutcome, done: int, total: int) -> None:
        console.print(outcome_line(outcome), highlight=False, markup=False, soft_wrap=True)
        if total > 1:
            self.bar.update(self.task, completed=done, total=total)
