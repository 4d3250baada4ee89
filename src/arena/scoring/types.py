"""Inputs and outputs of the scoring engine."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from arena.catalog.types import Weights
from arena.errors import ArenaError

Tier = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class Candidate:
    """One build as scoring sees it: quality parts, headline tok/s per bench, VRAM."""

    id: str
    name: str
    precision: str
    params_total_b: float | None
    vram_gb: float | None
    quality: dict[str, float] = field(default_factory=dict)
    tps: dict[str, float] = field(default_factory=dict)
    ttft_ms: dict[str, float] = field(default_factory=dict)
    verdicts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # bench -> result flags
    measures: dict[str, float] = field(default_factory=dict)  # e.g. capacity_rps_5s


@dataclass(slots=True)
class Row:
    """One ranked build; raw values, cohort-relative dimensions, score, tier and flags.

    Not frozen: a frozen 21-field init costs 3x more, and `order` builds 1,000 per request."""

    rank: int
    model: str
    name: str
    precision: str
    bucket: str | None
    quality_raw: float
    quality_parts: dict[str, float]
    throughput_tps: float
    benches_measured: int
    benches_total: int
    vram_gb: float | None
    efficiency_raw: float
    ttft_ms: float | None
    Q: float
    G: float
    E: float
    score: float
    norm: float
    tier: Tier
    pareto: bool
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Cohort:
    """Rows of one preset x bucket before weighting (rank, score, norm, tier not yet set)."""

    weights: Weights
    rows: list[Row]
    frontier: list[str]


@dataclass(frozen=True)
class Ranking:
    """The ranked visible set plus the Pareto frontier in drawing order (by throughput)."""

    weights: Weights
    rows: list[Row]
    frontier: list[str]


def make_weights(quality: float, throughput: float, efficiency: float) -> Weights:
    """Weights from fractions (sum 1) or percentages (sum 100); anything else is an error."""
    parts = (quality, throughput, efficiency)
    if any(not math.isfinite(p) or p < 0 for p in parts):
        raise ArenaError(f"weights {parts}: expected three numbers >= 0")
    total = sum(parts)
    if abs(total - 100.0) < 1e-6:
        parts = tuple(p / 100.0 for p in parts)  # type: ignore[assignment]
        total = 1.0
    if abs(total - 1.0) > 1e-6:
        raise ArenaError(
            f"weights {quality:g}/{throughput:g}/{efficiency:g} sum to {total:g}; "
            "expected 1 (fractions) or 100 (percent)"
        )
    return Weights(*parts)
