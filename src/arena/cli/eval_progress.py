"""What `arena eval` shows: a live bar per task, then a summary table or JSON."""

from __future__ import annotations

from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from arena.cli.common import err_console
from arena.evals.runner import PROTOCOL, Checkpoint, Outcome, Task, TaskResult


class EvalProgress:
    """One Rich bar per task: answered/total, running accuracy, ETA."""

    def __init__(self, quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("acc {task.fields[acc]:>6}"),
            TimeRemainingColumn(),
            console=err_console,
            disable=quiet,
        )
        self.ids: dict[str, Any] = {}
        self.right: dict[str, int] = {}

    def start(self, task: Task, kept: int) -> None:
        self.ids[task.name] = self.bar.add_task(
            task.name, total=len(task.items), completed=kept, acc="-"
        )
        self.right[task.name] = 0

    def item(self, task: Task, o: Outcome) -> None:
        self.right[task.name] += o.correct
        tid = self.ids[task.name]
        asked = self.bar.tasks[tid].completed + 1
        self.bar.update(tid, advance=1, acc=f"{self.right[task.name] / max(1, asked):.0%}")


def summary_table(results: list[TaskResult], build_id: str) -> Table:
    """Task, n, accuracy, 95 % CI, cut off, no answer, failed, questions/minute."""
    t = Table(title=f"arena eval {PROTOCOL} · {build_id}", title_justify="left")
    cols = ("task", "n", "accuracy", "95% CI", "cut off", "no answer", "failed", "q/min")
    for col in cols:
        t.add_column(col, justify="left" if col == "task" else "right")
    for r in results:
        low, high = r.ci95
        t.add_row(
            r.task.name,
            str(r.n),
            f"{r.accuracy * 100:.1f}%",
            f"{low * 100:.1f}–{high * 100:.1f}",
            str(r.cut_off),
            str(r.unparsed),
            str(r.failed),
            "–" if r.per_minute is None else f"{r.per_minute:,.1f}",
        )
    return t


def result_json(r: TaskResult, ckpt: Checkpoint, reason: str | None) -> dict[str, Any]:
    """One task's result as `arena eval --json` prints it."""
    return {
        "metric": r.task.metric,
        "n": r.n,
        "correct": r.correct,
        "accuracy": r.accuracy * 100,
        "ci95": [r.ci95[0] * 100, r.ci95[1] * 100],
        "cut_off": r.cut_off,
        "no_answer": r.unparsed,
        "failed": r.failed,
        "asked": r.asked,
        "questions_per_minute": r.per_minute,
        "max_tokens": r.task.max_tokens,
        "subset": r.task.subset,
        "checkpoint": str(ckpt.path),
        "partial": r.task.partial,
        "stored": reason is None,
        "not_stored": reason,
    }
