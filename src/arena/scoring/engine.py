"""The seed's method: cohort-relative Q, G, E; weighted score; tiers; Pareto frontier."""

from __future__ import annotations

from collections.abc import Sequence

from arena.catalog.types import Bucket, Preset, Weights
from arena.scoring.quality import quality_parts, quality_raw
from arena.scoring.types import Candidate, Cohort, Ranking, Row, Tier
from arena.verdicts import Flag

TPS_PER_USER = "tps_per_user"  # a preset's default measure: headline tok/s per user

# Result flags that mark the row when a bench the preset counts carries them.
VERDICT_FLAGS = (str(Flag.UNRELIABLE), str(Flag.SUSPECT))


def throughput_raw(
    c: Candidate, benches: Sequence[str], measure: str = TPS_PER_USER
) -> tuple[float, int]:
    """Mean of the preset's measure over its benches (missing = 0) and how many were measured:
    headline tok/s per bench, or a named measure (e.g. capacity) that the listed bench yields."""
    if not benches:
        return 0.0, 0
    if measure == TPS_PER_USER:
        measured = [c.tps[b] for b in benches if b in c.tps]
    else:
        measured = [c.measures[measure]] if measure in c.measures else []
    return sum(measured) / len(benches), len(measured)


def relative(value: float, peak: float) -> float:
    """100 x value / cohort peak; 0 when the peak is 0."""
    return 100.0 * value / peak if peak > 0 else 0.0


def weighted(q: float, g: float, e: float, w: Weights) -> float:
    """score = wq*Q + wg*G + we*E."""
    return w.quality * q + w.throughput * g + w.efficiency * e


def tier_of(norm: float) -> Tier:
    """top above 0.75, bottom below 0.25, else middle."""
    if norm > 0.75:
        return "top"
    if norm < 0.25:
        return "bottom"
    return "middle"


def dominated_all(points: Sequence[tuple[float, float]]) -> list[bool]:
    """Per point: another is >= on both axes and > on one; O(n log n) for 1,000-build cohorts."""
    # Walk quality groups from high to low: a point is dominated by a higher-quality point with
    # at least its throughput, or by an equal-quality point with more throughput.
    order = sorted(range(len(points)), key=lambda k: -points[k][0])
    out = [False] * len(points)
    best_above = float("-inf")
    start = 0
    while start < len(order):
        end = start
        q = points[order[start]][0]
        while end < len(order) and points[order[end]][0] == q:
            end += 1
        group = order[start:end]
        group_max = max(points[k][1] for k in group)
        for k in group:
            g = points[k][1]
            out[k] = best_above >= g or group_max > g
        best_above = max(best_above, group_max)
        start = end
    return out


def cohort(
    candidates: Sequence[Candidate],
    preset: Preset,
    bucket: Bucket,
    size_bucket: dict[str, str | None] | None = None,
) -> Cohort:
    """The weight-independent part of a ranking: raw values, Q/G/E, frontier, data flags."""
    visible = [c for c in candidates if bucket.contains(c.params_total_b)]
    raw: list[tuple[Candidate, float, float, int, float]] = []
    for c in visible:
        q = quality_raw(c.quality) or 0.0
        g, k = throughput_raw(c, preset.benches, preset.measure)
        e = g / c.vram_gb if c.vram_gb else 0.0
        raw.append((c, q, g, k, e))
    q_max = max((r[1] for r in raw), default=0.0)
    g_max = max((r[2] for r in raw), default=0.0)
    e_max = max((r[4] for r in raw), default=0.0)
    is_dominated = dominated_all([(q, g) for _, q, g, _, _ in raw])
    n_bench = len(preset.benches)
    rows: list[Row] = []
    for (c, q, g, k, e), dominated in zip(raw, is_dominated, strict=True):
        parts = quality_parts(c.quality)
        flags: list[str] = []
        if not parts:  # quality_raw is None exactly when there are no parts
            flags.append("no-quality")
        if k == 0:
            flags.append("no-measurement")
        elif k < n_bench:
            flags.append("partial-benches")
        if not c.vram_gb:
            flags.append("no-vram")
        counted = {v for b in preset.benches for v in c.verdicts.get(b, ())}
        flags += [v for v in VERDICT_FLAGS if v in counted]  # a counted bench is flagged
        rows.append(
            Row(
                rank=0,
                model=c.id,
                name=c.name,
                precision=c.precision,
                bucket=(size_bucket or {}).get(c.id),
                quality_raw=q,
                quality_parts=parts,
                throughput_tps=g,
                benches_measured=k,
                benches_total=n_bench,
                vram_gb=c.vram_gb,
                efficiency_raw=e,
                ttft_ms=c.ttft_ms.get(preset.ttft_bench),
                Q=relative(q, q_max),
                G=relative(g, g_max),
                E=relative(e, e_max),
                score=0.0,
                norm=0.0,
                tier="middle",
                # an unmeasured build is not a speed/quality trade-off: it stays off the frontier
                pareto=k > 0 and not dominated,
                flags=tuple(flags),
            )
        )
    frontier = [
        r.model for r in sorted(rows, key=lambda r: (r.throughput_tps, r.quality_raw)) if r.pareto
    ]
    return Cohort(weights=preset.weights, rows=rows, frontier=frontier)


def order(base: Cohort, weights: Weights | None = None) -> Ranking:
    """Score a cohort with the preset's or custom weights, sort, and set rank, norm and tier.

    Builds without a measurement rank below every measured one (the seed: they "stay visible
    but drop to the bottom"); their score is still the formula's, with G = E = 0."""
    w = weights or base.weights
    scored = sorted(
        ((weighted(r.Q, r.G, r.E, w), r) for r in base.rows),
        key=lambda s: (s[1].benches_measured == 0, -s[0], -s[1].throughput_tps, s[1].model),
    )
    scores = [s for s, _ in scored]
    lo, hi = (min(scores), max(scores)) if scores else (0.0, 0.0)
    rows: list[Row] = []
    last = len(scored) - 1
    for i, (score, r) in enumerate(scored):
        norm = (score - lo) / (hi - lo) if hi > lo else 1.0
        position = ("leader",) if i == 0 else ("tail",) if i == last else ()
        rows.append(_ranked(r, i + 1, score, norm, position + r.flags))
    return Ranking(weights=w, rows=rows, frontier=base.frontier)


def _ranked(r: Row, rank: int, score: float, norm: float, flags: tuple[str, ...]) -> Row:
    """A copy of a cohort row with its place set (cohort rows are shared, never changed)."""
    return Row(
        rank=rank,
        model=r.model,
        name=r.name,
        precision=r.precision,
        bucket=r.bucket,
        quality_raw=r.quality_raw,
        quality_parts=r.quality_parts,
        throughput_tps=r.throughput_tps,
        benches_measured=r.benches_measured,
        benches_total=r.benches_total,
        vram_gb=r.vram_gb,
        efficiency_raw=r.efficiency_raw,
        ttft_ms=r.ttft_ms,
        Q=r.Q,
        G=r.G,
        E=r.E,
        score=score,
        norm=norm,
        tier=tier_of(norm),
        pareto=r.pareto,
        flags=flags,
    )


def rank(
    candidates: Sequence[Candidate],
    preset: Preset,
    bucket: Bucket,
    size_bucket: dict[str, str | None] | None = None,
    weights: Weights | None = None,
) -> Ranking:
    """Rank the builds of one bucket for one preset (optionally with custom weights)."""
    return order(cohort(candidates, preset, bucket, size_bucket), weights)
