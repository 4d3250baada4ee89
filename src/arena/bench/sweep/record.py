"""A measured sweep as a stored record, in the shape of an imported suite v2 rate sweep."""

from __future__ import annotations

from collections.abc import Mapping

from arena.bench.http import error_counts, token_source
from arena.bench.sweep.run import SweepOutcome
from arena.capacity import capacity, headline_limit, headline_step
from arena.catalog.types import Bench
from arena.records import BenchRecord, Provenance


def _num(step: Mapping[str, object] | None, key: str) -> float | None:
    value = step.get(key) if step is not None else None
    return float(value) if isinstance(value, int | float) else None


def sweep_record(
    bench: Bench,
    out: SweepOutcome,
    prov: Provenance,
    notes: list[str],
    meta: Mapping[str, object],
) -> BenchRecord:
    """Steps and capacity per limit as importers/rate_sweep.py stores them; no per-user rate."""
    # tps_total and the TTFT columns are those of the step at the capacity for the headline
    # limit (5 s when measured); completed/failed are summed over the steps run.
    cap = capacity(out.steps, bench.ttft_p95_limits_ms)
    head = headline_step(out.steps, cap)
    limit = headline_limit(bench.ttft_p95_limits_ms)
    completed = sum(int(s["completed"] or 0) for s in out.steps)
    total = sum(int(s["total"] or 0) for s in out.steps)
    first = out.metrics[0] if out.metrics else None
    dist: dict[str, object] = {
        "steps": out.steps,
        "capacity": cap,
        "aborted_at_rps": out.aborted_at_rps,
        "queue_knee_rps": None,  # suite v2's runner states no rule for it; not derived here
        "stopped_after_rps": out.stopped_after_rps,
        "step_results": [dict(m) for m in out.metrics],
        # over every step, so power over the sweep's window gives J per output token
        "total_output_tokens": sum(int(m["total_output_tokens"]) for m in out.metrics),
        "token_source": token_source(out.results),
        "errors": error_counts(out.results),
        **({"ignore_eos": first["ignore_eos"]} if first and "ignore_eos" in first else {}),
        **({"job_caps": first["job_caps"]} if first and "job_caps" in first else {}),
        **meta,
    }
    why = [
        "per-user tok/s not defined for a sweep: tps_total is the output tok/s at the "
        f"capacity for p95 TTFT under {limit / 1000:g} s"
    ]
    if head is None:
        why.append(f"no step had p95 TTFT under {limit / 1000:g} s: no tok/s or TTFT given")
    return BenchRecord(
        bench_id=bench.id,
        tps_per_user=None,
        tps_total=_num(head, "output_tps"),
        ttft_p50_ms=_num(head, "ttft_p50_ms"),
        ttft_p95_ms=_num(head, "ttft_p95_ms"),
        ttft_mean_ms=None,
        std=None,
        source=prov,
        distribution=dist,
        completed=completed,
        failed=total - completed,
        notes=[*notes, *why, f"output tokens counted from {dist['token_source']}"],
    )
