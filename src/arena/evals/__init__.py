"""Quality measured on a live server: MMLU-Pro, GPQA Diamond, HumanEval (`arena eval`)."""

from arena.evals.answers import extract_letter, mc_prompt
from arena.evals.evaluation import (
    EvalConfig,
    EvalResult,
    TaskRun,
    checkpoint_for,
    default_cache_dir,
    evaluate,
    evaluate_async,
    load_tasks,
)
from arena.evals.runner import PROTOCOL, Checkpoint, RunConfig, run_task
from arena.evals.stats import largest_remainder, stratified_subset, wilson
from arena.evals.storage import MeasuredDetails, not_stored_reason, quality_record
from arena.evals.task_types import (
    Answered,
    EvalEvent,
    Item,
    Outcome,
    ProgressCallback,
    Task,
    TaskResult,
    TaskStarted,
)
from arena.evals.tasks import DEFAULT_SUBSET, TASKS, default_tasks, parse_tasks

__all__ = [
    "DEFAULT_SUBSET",
    "PROTOCOL",
    "TASKS",
    "Answered",
    "Checkpoint",
    "EvalConfig",
    "EvalEvent",
    "EvalResult",
    "Item",
    "MeasuredDetails",
    "Outcome",
    "ProgressCallback",
    "RunConfig",
    "Task",
    "TaskResult",
    "TaskRun",
    "TaskStarted",
    "checkpoint_for",
    "default_cache_dir",
    "default_tasks",
    "evaluate",
    "evaluate_async",
    "extract_letter",
    "largest_remainder",
    "load_tasks",
    "mc_prompt",
    "not_stored_reason",
    "parse_tasks",
    "quality_record",
    "run_task",
    "stratified_subset",
    "wilson",
]
