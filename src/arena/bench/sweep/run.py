"""Run a sweep: one open-loop run per offered rate, in rising order, until done or stopped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from arena.bench.http import RequestResult
from arena.bench.open import OpenMetrics, OpenOptions, plan, run_open
from arena.bench.sweep.steps import step_bench, step_prompts, step_row
from arena.bench.target import Target
from arena.catalog.types import Bench
from arena.verdicts import UNRELIABLE_SHARE, is_unreliable


@dataclass
class SweepOutcome:
    """What the steps measured, and why the sweep ended before its last rate (if it did)."""

    steps: list[dict[str, float | int | None]] = field(default_factory=list)
    metrics: list[OpenMetrics] = field(default_factory=list)  # each step's vllm-bench fields
    results: list[RequestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # plan notes of the steps, once each
    aborted_at_rps: float | None = None  # the step where > 10 % of requests failed
    stopped_after_rps: float | None = None  # the step whose p95 TTFT passed the stop line


def planned_requests(bench: Bench) -> int:
    """Requests of every step together (what a progress bar counts to without a stop)."""
    return sum(step_prompts(bench, r) for r in bench.request_rates)


def stop_line_ms(bench: Bench) -> float | None:
    """p95 TTFT above which the sweep stops: largest limit x stop_factor; None: never stops."""
    if bench.stop_factor is None or not bench.ttft_p95_limits_ms:
        return None
    return max(bench.ttft_p95_limits_ms) * bench.stop_factor


async def run_sweep(
    t: Target,
    bench: Bench,
    seed: int,
    sharegpt: Path | None,
    opts: OpenOptions,
    on_request: Callable[[RequestResult], None],
    on_step: Callable[[float, int], None],
) -> SweepOutcome:
    """Each rate as `vllm bench serve` runs it (same seed every step, as suite v2 ran them)."""
    # A step planned in full before it starts (prompts made outside the timed window); the
    # sweep ends after a step where more than UNRELIABLE_SHARE of requests failed (the server
    # gave out, as suite v2's aborted_at_rps) or whose p95 TTFT passed the stop line.
    out = SweepOutcome()
    line = stop_line_ms(bench)
    for rate in bench.request_rates:
        one = step_bench(bench, rate)
        jobs, plan_notes = await plan(t, one, seed, sharegpt, opts)
        out.notes.extend(n for n in plan_notes if n not in out.notes)
        on_step(rate, len(jobs))
        metrics, results = await run_open(t, one, jobs, on_request, opts)
        row = step_row(rate, metrics)
        out.steps.append(row)
        out.metrics.append(metrics)
        out.results.extend(results)
        failed = metrics["failed"]
        if is_unreliable(metrics["completed"], failed):
            out.aborted_at_rps = rate
            out.notes.append(
                f"sweep stopped at {rate:g} req/s: {failed}/{len(results)} requests failed "
                f"(> {UNRELIABLE_SHARE:.0%}); higher rates not run, capacity is a lower bound"
            )
            break
        p95 = row["ttft_p95_ms"]
        if (
            line is not None
            and isinstance(p95, float)
            and p95 > line
            and rate != bench.request_rates[-1]
        ):
            out.stopped_after_rps = rate
            out.notes.append(
                f"sweep stopped early after {rate:g} req/s: p95 TTFT {p95:.0f} ms exceeds "
                f"{line:.0f} ms (largest limit {max(bench.ttft_p95_limits_ms):g} ms x stop_factor "
                f"{bench.stop_factor:g}); higher rates not run"
            )
            break
    return out
