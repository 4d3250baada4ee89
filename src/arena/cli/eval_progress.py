"""What `arena eval` shows: a live bar per task, then a summary table or JSON."""

from __future__ import annotations

from typing import TypedDict

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from arena.cli.common import err_console
from arena.evals import PROTOCOL, Answered, EvalEvent, EvalResult, TaskResult, TaskRun, TaskStarted


class EvalProgress:
    """One Rich bar per task: answered/total, running accuracy, ETA (the `on_progress` callback)."""

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
        self.ids: dict[str, TaskID] = {}
        self.right: dict[str, int] = {}
        self.live = False

    def __call__(self, event: EvalEvent) -> None:
        if isinstance(event, TaskStarted):
            if not self.live:  # the server answered and serves the model: bars from now on
                self.bar.start()
                self.live = True
            task = event.task
            self.ids[task.name] = self.bar.add_task(
                task.name, total=len(task.items), completed=event.kept, acc="-"
            )
            self.right[task.name] = 0
        elif isinstance(event, Answered):
            name = event.task.name
            self.right[name] += event.outcome.correct
            tid = self.ids[name]
            asked = self.bar.tasks[tid].completed + 1
            self.bar.update(tid, advance=1, acc=f"{self.right[name] / max(1, asked):.0%}")

    def __enter__(self) -> EvalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        """End the live display once the run ended, however it ended."""
        if self.live:
            self.bar.stop()
            self.live = False


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


class TaskJson(TypedDict):
    """One task as `arena eval --json` prints it."""

    metric: str
    n: int
    correct: int
    accuracy: float
    ci95: list[float]
    cut_off: int
    no_answer: int
    failed: int
    asked: int
    questions_per_minute: float | None
    max_tokens: int
    subset: str
    checkpoint: str
    partial: bool
    stored: bool
    not_stored: str | None


class EvalJson(TypedDict):
    """What `arena eval --json` prints."""

    build: str
    protocol: str
    seconds: float
    tasks: dict[str, TaskJson]


def result_json(run: TaskRun) -> TaskJson:
    """One task's result as `arena eval --json` prints it."""
    r = run.result
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
        "checkpoint": str(run.checkpoint.path),
        "partial": r.task.partial,
        "stored": run.not_stored is None,
        "not_stored": run.not_stored,
    }


def eval_json(result: EvalResult) -> EvalJson:
    """The whole evaluation as `arena eval --json` prints it."""
    return {
        "build": result.build_id,
        "protocol": result.protocol,
        "seconds": result.seconds,
        "tasks": {run.result.task.name: result_json(run) for run in result.tasks},
    }
