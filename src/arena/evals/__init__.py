"""Quality measured on a live server: MMLU-Pro, GPQA Diamond, HumanEval (`arena eval`)."""

from arena.evals.answers import extract_letter, mc_prompt
from arena.evals.runner import PROTOCOL, Item, Task, TaskResult, run_task
from arena.evals.stats import largest_remainder, stratified_subset, wilson

__all__ = [
    "PROTOCOL",
    "Item",
    "Task",
    "TaskResult",
    "extract_letter",
    "largest_remainder",
    "mc_prompt",
    "run_task",
    "stratified_subset",
    "wilson",
]
