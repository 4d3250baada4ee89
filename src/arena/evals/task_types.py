"""What an eval task asks, and what asking and grading it produced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from arena.evals.stats import wilson
from arena.verdicts import ErrorKind

MAX_FAILED_SHARE = 0.10  # above this share of failed requests a score is not stored


class GradingError(Exception):
    """The answer could not be graded (e.g. the sandbox did not start)."""

    # A failed request, not a wrong answer; resume asks it again.


@dataclass(frozen=True)
class Item:
    """One question: a stable id, the prompt, the gold answer (a letter, or a task id)."""

    id: str
    prompt: str
    gold: str


Grader = Callable[[Item, str], tuple[bool, str | None]]


@dataclass
class Task:
    """What to ask and how to grade it; `key` identifies the full subset before --limit."""

    name: str
    metric: str
    items: list[Item]
    grade: Grader
    max_tokens: int
    subset: str
    key: str
    blocking: bool = False  # grade in a worker thread (the sandbox runs a process)
    private: bool = False  # GPQA: keep no reply text, no server error detail
    source_file: str | None = None
    sandbox: str | None = None  # HumanEval: the isolation its programs run under
    sandbox_timeout_s: float | None = None  # HumanEval: seconds allowed for one test run
    full_size: int | None = None  # --limit cut the subset: its full size (None: complete run)

    @property
    def partial(self) -> bool:
        """Only the first items of the subset are asked (--limit)."""
        return self.full_size is not None and self.full_size > len(self.items)


@dataclass
class Reply:
    """One non-streaming chat completion, or why it failed (`kind` for code, `error` for people)."""

    text: str = ""
    finish_reason: str | None = None
    output_tokens: int | None = None
    error: str | None = None
    kind: ErrorKind | None = None


@dataclass
class Outcome:
    """One graded question as kept in the checkpoint (one JSON line)."""

    id: str
    correct: bool
    extracted: str | None
    finish_reason: str | None
    failed: bool
    error: str | None
    output_tokens: int | None
    seconds: float
    tail: str | None = None
    kind: ErrorKind | None = None  # why the request failed (None: it did not)


@dataclass
class TaskResult:
    """A finished task: counts over every item, timing over this run's requests."""

    task: Task
    outcomes: list[Outcome]
    asked: int
    seconds: float
    n: int = 0
    correct: int = 0
    failed: int = 0
    cut_off: int = 0
    unparsed: int = 0
    ci95: tuple[float, float] = (0.0, 1.0)

    def __post_init__(self) -> None:
        o = self.outcomes
        self.n = len(o)
        self.correct = sum(x.correct for x in o)
        self.failed = sum(x.failed for x in o)
        self.cut_off = sum(x.finish_reason == "length" for x in o if not x.failed)
        self.unparsed = sum(x.extracted is None for x in o if not x.failed)
        self.ci95 = wilson(self.correct, self.n)

    @property
    def accuracy(self) -> float:
        """Fraction correct; failed requests count as wrong."""
        return self.correct / self.n if self.n else 0.0

    @property
    def too_many_failed(self) -> bool:
        """More than MAX_FAILED_SHARE of the requests failed: the score says nothing reliable."""
        return self.failed > MAX_FAILED_SHARE * self.n

    @property
    def first_error(self) -> str | None:
        """The error of the first failed question (in task order)."""
        return next((o.error for o in self.outcomes if o.failed), None)

    @property
    def per_minute(self) -> float | None:
        """Questions answered per minute in this run (None when all came from the checkpoint)."""
        return self.asked * 60 / self.seconds if self.asked and self.seconds > 0 else None


@dataclass(frozen=True)
class TaskStarted:
    """A task begins: `kept` of its items were answered by an earlier run (--resume)."""

    task: Task
    kept: int


@dataclass(frozen=True)
class Answered:
    """One question was asked and graded (or failed)."""

    task: Task
    outcome: Outcome


EvalEvent = TaskStarted | Answered
ProgressCallback = Callable[[EvalEvent], None]
