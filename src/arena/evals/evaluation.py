"""`evaluate`: load the tasks, ask the served build every question, store what may be stored."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from arena import aio
from arena.bench.http import Timeouts, make_session
from arena.bench.sanity import pick_model, served_models
from arena.builds import BuildSpec, ensure_build, slug
from arena.errors import ArenaError
from arena.evals.runner import PROTOCOL, Checkpoint, RunConfig, run_task
from arena.evals.storage import full_measured_n, not_stored_reason, quality_record
from arena.evals.task_types import ProgressCallback, Task, TaskResult
from arena.evals.tasks import DEFAULT_SUBSET, build_tasks, default_tasks, parse_tasks
from arena.records import QualityRecord
from arena.store import Store


@dataclass(frozen=True)
class EvalConfig:
    """What to ask which server, and what may be stored: the options of `arena eval`."""

    model: str  # the served model name (see /v1/models)
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: str | None = field(default=None, repr=False)
    build: BuildSpec | None = None  # None: the model name as build id and name
    tasks: tuple[str, ...] | None = None  # None: humaneval plus every task whose file is given
    mmlu_pro_file: Path | None = None
    gpqa_file: Path | None = None
    gpqa_password: str | None = field(default=None, repr=False)
    subset: int = DEFAULT_SUBSET  # MMLU-Pro: size of the seeded stratified subset (0: all)
    limit: int | None = None  # ask only the first N questions of each task
    seed: int = 42  # the subset and the GPQA choice order
    max_tokens: int | None = None  # None: each task's default budget
    concurrency: int = 8
    request_timeout: float = 1800.0  # seconds allowed for one answer
    sandbox_timeout: float = 10.0  # seconds allowed for one HumanEval test run
    resume: bool = False  # keep the checkpointed answers of an earlier run; ask the rest
    store_partial: bool = False  # store --limit slices too (marked partial)
    cache_dir: Path | None = None  # where checkpoints live (None: the user cache dir)

    @property
    def build_spec(self) -> BuildSpec:
        """The build to store under, named after the model unless given."""
        return self.build or BuildSpec(slug(self.model), self.model)


@dataclass(frozen=True)
class TaskRun:
    """One task's result, where its answers are checkpointed, and what was stored."""

    result: TaskResult
    checkpoint: Checkpoint
    record: QualityRecord | None  # the stored measured score (None: not stored)
    not_stored: str | None  # why it was not stored, for people (None: stored)

    @property
    def stored(self) -> bool:
        """The result became the build's measured score."""
        return self.record is not None


@dataclass(frozen=True)
class EvalResult:
    """Every task of one evaluation, in the order asked."""

    build_id: str
    seconds: float
    tasks: tuple[TaskRun, ...]
    protocol: str = PROTOCOL

    @property
    def too_many_failed(self) -> bool:
        """Some task failed too many requests to be a score (the CLI exits 1)."""
        return any(t.result.too_many_failed for t in self.tasks)

    @property
    def stored(self) -> bool:
        """Some task's score was stored."""
        return any(t.stored for t in self.tasks)


def default_cache_dir() -> Path:
    """The platform's user cache dir for arena."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("arena", appauthor=False))


def checkpoint_for(root: Path, build: str, model: str, seed: int, task: Task) -> Checkpoint:
    """One file per build, task, protocol, model, budget and full subset (not --limit)."""
    key = hashlib.sha256(
        json.dumps([build, task.name, PROTOCOL, model, task.max_tokens, seed, task.key]).encode()
    ).hexdigest()[:16]
    name = f"{slug(build)}__{task.name}__{PROTOCOL}__{key}.jsonl"
    return Checkpoint(root / "eval" / name, key)


def load_tasks(config: EvalConfig) -> list[Task]:
    """Load and check every data file before the server is asked anything."""
    given = config.tasks
    spec = (
        default_tasks(config.mmlu_pro_file, config.gpqa_file) if given is None else ",".join(given)
    )
    try:
        names = parse_tasks(spec)
    except ValueError as exc:
        raise ArenaError(f"tasks: {exc}") from None
    return build_tasks(
        names, config.mmlu_pro_file, config.gpqa_file, config.gpqa_password, config.subset,
        config.limit, config.seed, config.max_tokens, config.sandbox_timeout,
    )  # fmt: skip


async def evaluate_async(
    config: EvalConfig,
    store: Store,
    on_progress: ProgressCallback | None = None,
    tasks: Sequence[Task] | None = None,
) -> EvalResult:
    """`evaluate` inside a running event loop."""
    t0 = time.perf_counter()
    selected = list(tasks) if tasks is not None else load_tasks(config)
    build, hw = ensure_build(store, config.build_spec)
    root = config.cache_dir or default_cache_dir()
    base = config.base_url.rstrip("/")
    runs: list[TaskRun] = []
    async with make_session(config.api_key, Timeouts(first_token=config.request_timeout)) as s:
        pick_model(await served_models(s, base), config.model, base)
        store.put_build(build, hw, [])  # only once the server answered and serves the model
        cfg = RunConfig(s, base + "/chat/completions", config.model, config.concurrency,
                        config.request_timeout, on_progress)  # fmt: skip
        for task in selected:
            ckpt = checkpoint_for(root, build.id, config.model, config.seed, task)
            result = await run_task(cfg, task, ckpt, config.resume)
            full_n = full_measured_n(store, build.id, task.metric) if task.partial else None
            reason = not_stored_reason(result, config.store_partial, full_n)
            record = None
            if reason is None:
                record = quality_record(result, build.id, build.base_model, config.model,
                                        config.seed)  # fmt: skip
                store.put_quality([record])
            runs.append(TaskRun(result, ckpt, record, reason))
    return EvalResult(build.id, time.perf_counter() - t0, tuple(runs))


def evaluate(
    config: EvalConfig,
    store: Store,
    on_progress: ProgressCallback | None = None,
    tasks: Sequence[Task] | None = None,
) -> EvalResult:
    """Measure quality on the served build (temperature 0, 0-shot) and store it as measured."""
    # `tasks`: already loaded by `load_tasks(config)` (a CLI checks the data files before it opens
    # the store); None loads them here. A score is stored only when `not_stored_reason` allows.
    return aio.run(evaluate_async(config, store, on_progress, tasks))
