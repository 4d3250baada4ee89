"""What `arena bench` shows while it runs and after: live bars, summary table, error lines."""

from __future__ import annotations

import time

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from arena.bench import RequestResult, SuiteProgress
from arena.catalog.types import Bench
from arena.cli.common import err_console
from arena.records import BenchRecord


class LiveProgress(SuiteProgress):
    """One Rich bar per bench (requests done, live output tok/s, ETA) and the run's messages."""

    def __init__(self, no_bars: bool, quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tps]:>8} tok/s"),
            TextColumn("{task.fields[errors]}"),
            TimeRemainingColumn(),
            console=err_console,
            disable=no_bars,
        )
        self.quiet = quiet
        self.started = False
        self.tasks: dict[str, TaskID] = {}
        self.tokens: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.t0: dict[str, float] = {}

    def __enter__(self) -> LiveProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.bar.stop()

    def resume(self, skipped: list[str], again: list[str]) -> None:
        if self.quiet:
            return
        if skipped:
            err_console.print(f"resume: skipping stored {', '.join(skipped)}", highlight=False)
        if again:
            err_console.print(f"resume: measuring again {', '.join(again)}", highlight=False)

    def warning(self, text: str) -> None:
        err_console.print(text, highlight=False)

    def bench_start(self, bench: Bench, total: int) -> None:
        if not self.started:
            self.bar.start()
            self.started = True
        self.tasks[bench.id] = self.bar.add_task(bench.id, total=total, tps="-", errors="")
        self.tokens[bench.id] = 0
        self.errors[bench.id] = 0
        self.t0[bench.id] = time.perf_counter()

    def phase(self, bench: Bench, text: str) -> None:
        if bench.id in self.tasks:
            self.bar.update(self.tasks[bench.id], description=f"{bench.id} {text}")

    def request(self, bench: Bench, result: RequestResult) -> None:
        tps, errors = self.tally(bench.id, result)
        if bench.id in self.tasks:
            self.bar.update(self.tasks[bench.id], advance=1, tps=tps, errors=errors)

    def tally(self, bench_id: str, result: RequestResult) -> tuple[str, str]:
        """Count one finished request: (output tok/s of the successful ones, error text)."""
        # a failed request's tokens are not output the bench measured: all failed shows 0
        if result.ok:
            self.tokens[bench_id] = self.tokens.get(bench_id, 0) + result.output_tokens
        else:
            self.errors[bench_id] = self.errors.get(bench_id, 0) + 1
        t0 = self.t0.get(bench_id, time.perf_counter())
        rate = self.tokens.get(bench_id, 0) / max(1e-9, time.perf_counter() - t0)
        failed = self.errors.get(bench_id, 0)
        return f"{rate:,.1f}", f"{failed} failed" if failed else ""

    def bench_done(self, bench: Bench, record: BenchRecord) -> None:
        task = self.tasks[bench.id]
        self.bar.update(task, completed=self.bar.tasks[task].total)


def summary_table(records: list[BenchRecord], build_id: str) -> Table:
    """Per bench: headline, total tok/s, TTFT, completed/failed, notes."""
    t = Table(title=f"arena bench · {build_id}", title_justify="left")
    for col in ("bench", "tok/s per user", "tok/s total", "TTFT p50 ms", "ok/failed", "notes"):
        t.add_column(col, justify="left" if col in ("bench", "notes") else "right")
    for r in records:
        flags = [str(f) for f in r.flags]
        t.add_row(
            r.bench_id,
            "–" if r.tps_per_user is None else f"{r.tps_per_user:,.2f}",
            "–" if r.tps_total is None else f"{r.tps_total:,.1f}",
            "–" if r.ttft_p50_ms is None else f"{r.ttft_p50_ms:,.1f}",
            f"{r.completed}/{r.failed}",
            ", ".join(flags),
        )
    return t


def error_lines(records: list[BenchRecord], top: int = 3) -> list[str]:
    """Under the summary table: per bench with failures, its first `top` distinct reasons."""
    lines = []
    for r in records:
        errors = r.distribution.get("errors")
        if not isinstance(errors, dict) or not errors:
            continue
        shown = "; ".join(f"{n}x {reason}" for reason, n in list(errors.items())[:top])
        more = len(errors) - top
        lines.append(
            f"errors in {r.bench_id}: {shown}" + (f" (+{more} more reasons)" if more > 0 else "")
        )
    return lines
