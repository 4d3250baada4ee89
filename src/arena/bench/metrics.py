"""Summary statistics the way vllm bench serve and llama-benchy report them (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence

PERCENTILES = (50, 90, 95, 99)


def mean(xs: Sequence[float]) -> float:
    """Arithmetic mean; 0 for no values (as vllm bench serve prints)."""
    return sum(xs) / len(xs) if xs else 0.0


def std(xs: Sequence[float]) -> float:
    """Population standard deviation (numpy's default, used by both tools)."""
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def percentile(xs: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy.percentile's default method)."""
    if not xs:
        return 0.0
    s = sorted(xs)
    pos = (len(s) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summary(name: str, xs: Sequence[float]) -> dict[str, float]:
    """mean/median/std/pNN fields named like vllm's JSON, e.g. mean_ttft_ms, p99_ttft_ms."""
    out = {
        f"mean_{name}_ms": mean(xs),
        f"median_{name}_ms": percentile(xs, 50),
        f"std_{name}_ms": std(xs),
    }
    for p in PERCENTILES:
        out[f"p{p}_{name}_ms"] = percentile(xs, p)
    return out


def mean_std(xs: Sequence[float]) -> tuple[float | None, float | None]:
    """(mean, std) over runs, None when nothing was measured."""
    return (mean(xs), std(xs)) if xs else (None, None)
