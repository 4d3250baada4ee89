"""Turn stored builds into scoring candidates and ranked, JSON-ready leaderboards."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from arena.catalog.types import Catalog, Weights
from arena.errors import ArenaError
from arena.records import BenchRecord
from arena.scoring import Candidate, Cohort, QualityValue, Ranking, Row, cohort, order, pick_quality
from arena.scoring.quality import DEFAULT_PREFERENCE
from arena.service.shapes import Board, BoardEnvelope, BoardRow, RowHead, RowTail
from arena.store.views import BuildView, DatasetInfo

INF = float("inf")
_json_str = json.encoder.encode_basestring_ascii  # what json.dumps uses for str (C)


@dataclass(frozen=True)
class Leaderboard:
    """A ranking plus the context needed to show it honestly."""

    preset: str
    bucket: str
    ranking: Ranking
    attributions: list[str]
    latest_run: str | None
    vram_methods: dict[str, str | None]
    quality_kinds: dict[str, dict[str, str]]
    ttft_bench: str
    row_attribution: dict[str, str | None]


def ttft_of(rec: BenchRecord) -> float | None:
    """p50 where the tool reports it (open loop), else the mean (llama-benchy)."""
    return rec.ttft_p50_ms if rec.ttft_p50_ms is not None else rec.ttft_mean_ms


def chosen_quality(
    view: BuildView, prefer: Mapping[str, Sequence[str]] | None = None
) -> dict[str, QualityValue]:
    """Per metric, the stored quality number the preference picks for this build."""
    prefer = prefer or {}
    return pick_quality(
        (QualityValue(q.metric, q.value, q.kind, q.build_id is not None) for q in view.quality),
        prefer.get("default", DEFAULT_PREFERENCE),
        {k: v for k, v in prefer.items() if k != "default"},
    )


def candidate(view: BuildView, chosen: Mapping[str, QualityValue]) -> Candidate:
    """The scoring inputs of one build: chosen quality per metric, headline tok/s per bench."""
    tps = {b: r.tps_per_user for b, r in view.results.items() if r.tps_per_user is not None}
    ttft = {b: t for b, r in view.results.items() if (t := ttft_of(r)) is not None}
    return Candidate(
        id=view.build.id,
        name=view.build.name,
        precision=view.build.precision,
        params_total_b=view.build.params_total_b,
        vram_gb=view.build.vram_gb,
        quality={m: v.value for m, v in chosen.items()},
        tps=tps,
        ttft_ms=ttft,
        verdicts={b: tuple(str(f) for f in r.flags) for b, r in view.results.items() if r.flags},
    )


@dataclass(frozen=True)
class Prepared:
    """Per-build scoring inputs of one set of views, reusable across presets and weights."""

    candidates: list[Candidate]
    sizes: dict[str, str | None]
    kinds: dict[str, dict[str, str]]
    methods: dict[str, str | None]
    origins: dict[str, str]
    dates: dict[str, str | None]
    cohorts: dict[tuple[str, str], Cohort] = field(default_factory=dict, repr=False)

    def cohort(self, catalog: Catalog, preset: str, bucket: str) -> Cohort:
        """The weight-independent ranking of one preset x bucket, computed once."""
        found = self.cohorts.get((preset, bucket))
        if found is None:
            found = cohort(
                self.candidates, catalog.presets[preset], catalog.buckets[bucket], self.sizes
            )
            self.cohorts[(preset, bucket)] = found
        return found


def prepare(
    views: list[BuildView], catalog: Catalog, prefer: Mapping[str, Sequence[str]] | None = None
) -> Prepared:
    """Everything about the builds that does not depend on preset, bucket or weights."""
    merged = {**catalog.quality_prefer, **(prefer or {})}
    chosen = [chosen_quality(v, merged) for v in views]
    return Prepared(
        candidates=[candidate(v, c) for v, c in zip(views, chosen, strict=True)],
        sizes={v.build.id: catalog.size_bucket(v.build.params_total_b) for v in views},
        kinds={
            v.build.id: {m: q.kind for m, q in c.items()}
            for v, c in zip(views, chosen, strict=True)
        },
        methods={v.build.id: v.build.vram_method for v in views},
        origins={v.build.id: v.origin.removeprefix("dataset:") for v in views},
        dates={v.build.id: v.build.run_date for v in views},
    )


def leaderboard(
    views: list[BuildView],
    catalog: Catalog,
    preset: str = "aggregate",
    bucket: str = "all",
    weights: Weights | None = None,
    datasets: Mapping[str, DatasetInfo] | None = None,
    prefer: Mapping[str, Sequence[str]] | None = None,
    prepared: Prepared | None = None,
) -> Leaderboard:
    """Rank stored builds; unknown preset or bucket is an error naming the valid ids."""
    if preset not in catalog.presets:
        raise ArenaError(
            f"unknown preset '{preset}'; expected one of: {', '.join(catalog.presets)}"
        )
    if bucket not in catalog.buckets:
        raise ArenaError(
            f"unknown bucket '{bucket}'; expected one of: {', '.join(catalog.buckets)}"
        )
    p = prepared or prepare(views, catalog, prefer)
    ranking = order(p.cohort(catalog, preset, bucket), weights)
    visible = {r.model for r in ranking.rows}
    origins = {p.origins[m] for m in visible}
    by_dataset = {
        name: str(info["attribution"])
        for name, info in (datasets or {}).items()
        if info.get("attribution")
    }
    attributions = [text for name, text in sorted(by_dataset.items()) if name in origins]
    dates = [d for m in visible if (d := p.dates[m])]
    latest = max(dates) if dates else None
    return Leaderboard(
        preset,
        bucket,
        ranking,
        attributions,
        latest,
        p.methods,
        p.kinds,
        catalog.presets[preset].ttft_bench,
        {m: by_dataset.get(p.origins[m]) for m in visible},
    )


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


def _row_head(lb: Leaderboard, r: Row) -> RowHead:
    """The fields of a row that do not depend on the weights (everything but rank and score)."""
    return {
        "model": r.model,
        "name": r.name,
        "precision": r.precision,
        "bucket": r.bucket,
        "quality_raw": _r(r.quality_raw),
        "quality_parts": {k: _r(v) for k, v in r.quality_parts.items()},
        "quality_kinds": {k: lb.quality_kinds.get(r.model, {}).get(k) for k in r.quality_parts},
        "throughput_tps": _r(r.throughput_tps),
        "benches_measured": r.benches_measured,
        "benches_total": r.benches_total,
        "vram_gb": _r(r.vram_gb),
        "vram_method": lb.vram_methods.get(r.model),
        "efficiency_raw": _r(r.efficiency_raw, 3),
        "ttft_ms": _r(r.ttft_ms, 1),
        "Q": _r(r.Q),
        "G": _r(r.G),
        "E": _r(r.E),
        "attribution": lb.row_attribution.get(r.model),
    }


def _row_tail(r: Row) -> RowTail:
    """The fields of a row that the weights set."""
    return {
        "score": _r(r.score),
        "norm": _r(r.norm, 4),
        "tier": r.tier,
        "pareto": r.pareto,
        "flags": list(r.flags),
    }


def _tail_text(r: Row) -> str:
    """`json.dumps(_row_tail(r))` without its braces, from json's own scalar encoders: one
    dumps call per row cost 7 ms of a 1,000-row re-weighting (a test checks the equality)."""
    text = _json_str
    score, norm = _r(r.score), _r(r.norm, 4)
    flags = ", ".join(text(f) for f in r.flags)
    return (
        f'"score": {_json_num(score)}, "norm": {_json_num(norm)}, "tier": {text(r.tier)}, '
        f'"pareto": {"true" if r.pareto else "false"}, "flags": [{flags}]'
    )


def _json_num(x: float | None) -> str:
    return "null" if x is None else json.dumps(x) if x != x or x in (INF, -INF) else repr(x)


def _envelope(lb: Leaderboard) -> BoardEnvelope:
    w = lb.ranking.weights
    return {
        "preset": lb.preset,
        "bucket": lb.bucket,
        "ttft_bench": lb.ttft_bench,
        "weights": {"quality": w.quality, "throughput": w.throughput, "efficiency": w.efficiency},
        "frontier": lb.ranking.frontier,
        "attribution": lb.attributions,
        "latest_run": lb.latest_run,
    }


def leaderboard_json(lb: Leaderboard) -> Board:
    """The documented JSON shape of `arena leaderboard --format json` and /api/leaderboard."""
    rows: list[BoardRow] = [
        {"rank": r.rank, **_row_head(lb, r), **_row_tail(r)} for r in lb.ranking.rows
    ]
    return {**_envelope(lb), "rows": rows}


def leaderboard_text(lb: Leaderboard, heads: dict[tuple[str, str, str], str]) -> str:
    """`json.dumps(leaderboard_json(lb))`, reusing each row's weight-independent text in `heads`
    (keyed preset, bucket, model; valid for one Prepared), so re-weighting skips re-encoding."""
    parts: list[str] = []
    for r in lb.ranking.rows:
        key = (lb.preset, lb.bucket, r.model)
        head = heads.get(key)
        if head is None:
            head = heads[key] = json.dumps(_row_head(lb, r), ensure_ascii=False)[1:-1]
        parts.append(f'{{"rank": {r.rank}, {head}, {_tail_text(r)}}}')
    envelope = json.dumps(_envelope(lb), ensure_ascii=False)[:-1]
    return f'{envelope}, "rows": [{", ".join(parts)}]}}'
