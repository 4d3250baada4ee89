"""The seed's method: cohort-relative Q, G, E; weighted score; tiers; Pareto frontier."""

from __future__ import annotations

from collections.abc import Sequence

from arena.catalog.types import Bucket, Preset, Weights
from arena.scoring.quality import quality_parts, quality_raw
from arena.scoring.types import Candidate, Ranking, Row, Tier


def throughput_raw(c: Candidate, benches: Sequence[str]) -> tuple[float, int]:
    """Mean headline tok/s over the preset's benches (missing = 0) and how many were measured."""
    measured = [c.tps[b] for b in benches if b in c.tps]
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


def rank(
    candidates: Sequence[Candidate],
    preset: Preset,
    bucket: Bucket,
    size_bucket: dict[str, str | None] | None = None,
    weights: Weights | None = None,
) -> Ranking:
    """Rank the builds of one bucket for one preset (optionally with custom weights)."""
    w = weights or preset.weights
    visible = [c for c in candidates if bucket.contains(c.params_total_b)]
    raw: list[tuple[Candidate, float, float, int, float]] = []
    for c in visible:
        q = quality_raw(c.quality) or 0.0
        g, k = throughput_raw(c, preset.benches)
        e = g / c.vram_gb if c.vram_gb else 0.0
        raw.append((c, q, g, k, e))
    q_max = max((r[1] for r in raw), default=0.0)
    g_max = max((r[2] for r in raw), default=0.0)
    e_max = max((r[4] for r in raw), default=0.0)
    scored = []
    for c, q, g, k, e in raw:
        dims = (relative(q, q_max), relative(g, g_max), relative(e, e_max))
        scored.append((c, q, g, k, e, dims, weighted(*dims, w)))
    scored.sort(key=lambda s: (-s[6], -s[2], s[0].id))
    scores = [s[6] for s in scored]
    lo, hi = (min(scores), max(scores)) if scores else (0.0, 0.0)
    points = [(s[1], s[2]) for s in scored]
    is_dominated = dominated_all(points)
    rows: list[Row] = []
    n_bench = len(preset.benches)
    for i, (c, q, g, k, e, (qd, gd, ed), score) in enumerate(scored):
        norm = (score - lo) / (hi - lo) if hi > lo else 1.0
        flags: list[str] = []
        if i == 0:
            flags.append("leader")
        elif i == len(scored) - 1:
            flags.append("tail")
        parts = quality_parts(c.quality)
        if not parts:  # quality_raw is None exactly when there are no parts
            flags.append("no-quality")
        if k == 0:
            flags.append("no-measurement")
        elif k < n_bench:
            flags.append("partial-benches")
        if not c.vram_gb:
            flags.append("no-vram")
        # an unmeasured build is not a speed/quality trade-off: it stays off the frontier
        on_front = k > 0 and not is_dominated[i]
        rows.append(
            Row(
                rank=i + 1,
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
                Q=qd,
                G=gd,
                E=ed,
                score=score,
                norm=norm,
                tier=tier_of(norm),
                pareto=on_front,
                flags=tuple(flags),
            )
        )
    frontier = [
        r.model for r in sorted(rows, key=lambda r: (r.throughput_tps, r.quality_raw)) if r.pareto
    ]
    return Ranking(weights=w, rows=rows, frontier=frontier)
