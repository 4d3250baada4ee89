"""Capacity of a rate sweep per p95-TTFT limit: one rule for imported and measured sweeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from arena.verdicts import is_unreliable

# Suite v2's limits (11-rate-sweep.json capacity_by_slo_ms: 2, 5 and 10 s) and the one whose
# step gives a sweep's tok/s and TTFT columns.
LIMITS_MS = (2000, 5000, 10000)
HEADLINE_LIMIT_MS = 5000

Step = Mapping[str, float | int | None]


def _counts(step: Step) -> bool:
    """A step speaks for its rate when its p95 TTFT is known and <= 10 % of requests failed."""
    p95 = step.get("ttft_p95_ms")
    completed = int(step.get("completed") or 0)
    total = int(step.get("total") or completed)
    return isinstance(p95, int | float) and not is_unreliable(completed, total - completed)


def capacity(
    steps: Sequence[Step], limits_ms: Sequence[float] = LIMITS_MS
) -> list[dict[str, object]]:
    """Per limit, the highest offered rate whose p95 TTFT stays under it ("met": false if none)."""
    out: list[dict[str, object]] = []
    for limit in limits_ms:
        under = [s for s in steps if _counts(s) and float(s["ttft_p95_ms"] or 0) < limit]
        best = max(under, key=lambda s: float(s["offered_rps"] or 0), default=None)
        entry: dict[str, object] = {
            "ttft_p95_limit_ms": limit,
            "offered_rps": best["offered_rps"] if best else None,
            "achieved_rps": best["achieved_rps"] if best else None,
            "ttft_p95_ms": best["ttft_p95_ms"] if best else None,
            "output_tps": best["output_tps"] if best else None,
            "met": best is not None,
        }
        if best is None:
            entry["note"] = f"no step has p95 TTFT under {limit / 1000:g} s"
        out.append(entry)
    return out


def headline_limit(limits_ms: Sequence[float]) -> float:
    """The limit whose capacity step gives the record's columns: 5 s, else the largest given."""
    return HEADLINE_LIMIT_MS if HEADLINE_LIMIT_MS in limits_ms else max(limits_ms)


def headline_step(steps: Sequence[Step], cap: Sequence[Mapping[str, object]]) -> Step | None:
    """The step at the headline limit's capacity; None when that limit was not met."""
    limits = [float(str(c["ttft_p95_limit_ms"])) for c in cap]
    if not limits:
        return None
    head = next(c for c in cap if float(str(c["ttft_p95_limit_ms"])) == headline_limit(limits))
    if not head["met"]:
        return None
    return next((s for s in steps if s["offered_rps"] == head["offered_rps"]), None)
