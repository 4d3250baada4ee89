"""Rate sweep: open-loop steps at rising offered rates, and the capacity per p95-TTFT limit."""

from arena.bench.sweep.record import sweep_record
from arena.bench.sweep.run import SweepOutcome, planned_requests, run_sweep, stop_line_ms
from arena.bench.sweep.steps import STEP_KEYS, step_bench, step_prompts, step_row

__all__ = [
    "STEP_KEYS",
    "SweepOutcome",
    "planned_requests",
    "run_sweep",
    "step_bench",
    "step_prompts",
    "step_row",
    "stop_line_ms",
    "sweep_record",
]
