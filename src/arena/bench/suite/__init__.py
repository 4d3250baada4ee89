"""A suite run: the benches chosen, each measured against a checked server and stored at once."""

from arena.bench.suite.bench_run import SuiteContext, bench_params, run_bench
from arena.bench.suite.config import SuiteConfig, SuiteProgress, SuiteResult
from arena.bench.suite.run import finish_record, loopback_port, pick_vram, run_suite
from arena.bench.suite.select import (
    remeasure_reason,
    resume_plan,
    run_options,
    select_benches,
)

__all__ = [
    "SuiteConfig",
    "SuiteContext",
    "SuiteProgress",
    "SuiteResult",
    "bench_params",
    "finish_record",
    "loopback_port",
    "pick_vram",
    "remeasure_reason",
    "resume_plan",
    "run_bench",
    "run_options",
    "run_suite",
    "select_benches",
]
