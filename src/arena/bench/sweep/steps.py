"""The steps of a sweep: how many requests each rate sends, and each step's summary row."""

from __future__ import annotations

import dataclasses

from arena.bench.open import OpenMetrics
from arena.catalog.types import Bench

# The keys of one step as suite v2's 11-rate-sweep.json summary holds them, renamed as the
# importer stores them (importers/rate_sweep.py): a measured step has exactly these keys.
STEP_KEYS = (
    "offered_rps",
    "achieved_rps",
    "completed",
    "total",
    "ttft_p50_ms",
    "ttft_p95_ms",
    "ttft_p99_ms",
    "output_tps",
    "peak_concurrency",
)


def step_prompts(bench: Bench, rate: float) -> int:
    """Requests of the step at `rate`: max(min_step_prompts, rate x step_seconds)."""
    # Suite v2's runner: max(100, rate x 250) -> 100/100/100/125/175/250 for 0.1 .. 1.0 req/s.
    return max(bench.min_step_prompts, round(rate * (bench.step_seconds or 0)))


def step_bench(bench: Bench, rate: float) -> Bench:
    """The open-loop bench one step runs: the sweep's shape at one offered rate."""
    return dataclasses.replace(
        bench,
        mode="open",
        request_rate=rate,
        num_prompts=step_prompts(bench, rate),
        request_rates=(),
        step_seconds=None,
        ttft_p95_limits_ms=(),
        stop_factor=None,
    )


def step_row(rate: float, m: OpenMetrics) -> dict[str, float | int | None]:
    """One step in the stored shape; TTFT figures None when no request of it succeeded."""
    # achieved_rps is vllm's request_throughput, output_tps its output_throughput and
    # peak_concurrency its max_concurrent_requests, as suite v2's summary took them.
    done = m["completed"] > 0
    row: dict[str, float | int | None] = {
        "offered_rps": rate,
        "achieved_rps": m["request_throughput"],
        "completed": m["completed"],
        "total": m["num_prompts"],
        "ttft_p50_ms": m["p50_ttft_ms"] if done else None,
        "ttft_p95_ms": m["p95_ttft_ms"] if done else None,
        "ttft_p99_ms": m["p99_ttft_ms"] if done else None,
        "output_tps": m["output_throughput"],
        "peak_concurrency": m["max_concurrent_requests"],
    }
    assert tuple(row) == STEP_KEYS
    return row
