"""What `arena bench` shows while it runs and after: live bars, summary table, error lines."""

from __future__ import annotations

import time
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from arena.bench.client import RequestResult
from arena.bench.runner import Progress as Hooks
from arena.catalog.types import Bench
from arena.cli.common import err_console
from arena.records import BenchRecord


class LiveProgress:
    """One Rich bar per bench: requests done, live output tok/s, ETA."""

    def __init__(self, quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tps]:>8} tok/s"),
            TimeRemainingColumn(),
            console=err_console,
            disable=quiet,
        )
        self.tasks: dict[str, Any] = {}
        self.tokens: dict[str, int] = {}
        self.t0: dict[str, float] = {}
        self.errors: dict[str, dict[str, int]] = {}

    def hooks(self) -> Hooks:
        """Callbacks for the runner."""
        return Hooks(start=self.start, request=self.request, done=self.done)

    def start(self, bench: Bench, total: int) -> None:
        self.tasks[bench.id] = self.bar.add_task(bench.id, total=total, tps="-")
        self.tokens[bench.id] = 0
        self.t0[bench.id] = time.perf_counter()
        self.errors[bench.id] = {}

    def request(self, bench: Bench, r: RequestResult) -> None:
        if not r.ok:
            errors = self.errors.setdefault(bench.id, {})
            reason = r.error or "unknown error"
            errors[reason] = errors.get(reason, 0) + 1
        self.tokens[bench.id] = self.tokens.get(bench.id, 0) + r.output_tokens
        t0 = self.t0.get(bench.id, time.perf_counter())
        rate = self.tokens[bench.id] / max(1e-9, time.perf_counter() - t0)
        if bench.id in self.tasks:
            self.bar.update(self.tasks[bench.id], advance=1, tps=f"{rate:,.1f}")

    def done(self, bench: Bench, rec: BenchRecord) -> None:
        task = self.tasks[bench.id]
        self.bar.update(task, completed=self.bar.tasks[task].total)


def summary_table(records: list[BenchRecord], build_id: str) -> Table:
    """Per bench: headline, total tok/s, TTFT, completed/failed, notes."""
    t = Table(title=f"arena bench · {build_id}", title_justify="left")
    for col in ("bench", "tok/s per user", "tok/s total", "TTFT p50 ms", "ok/failed", "notes"):
        t.add_column(col, justify="left" if col in ("bench", "notes") else "right")
    for r in records:
        flags = [n.split(":")[0] for n in r.notes if n.startswith(("unreliable", "suspect"))]
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
