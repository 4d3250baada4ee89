"""A leaderboard as the documented JSON: the dict shape, and the same text built faster."""

from __future__ import annotations

import json

from arena.scoring import Row
from arena.service.cost import cost_basis
from arena.service.leaderboard import NO_FACTS, Leaderboard
from arena.service.shapes import Board, BoardEnvelope, BoardRow, RowHead, RowTail

INF = float("inf")
_json_str = json.encoder.encode_basestring_ascii  # what json.dumps uses for str (C)


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


def _row_head(lb: Leaderboard, r: Row) -> RowHead:
    """The fields of a row that do not depend on the weights (everything but rank and score)."""
    facts = lb.facts.get(r.model, NO_FACTS)
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
        "suite": lb.suite,
        "run_id": facts.run_id,
        "capacity_rps_5s": _r(facts.capacity_rps_5s, 3),
        "joules_per_token": _r(facts.joules_per_token, 4),
        "energy_benches": facts.energy_benches,
        "sanity": facts.sanity,
        "cost_per_mtok": _r(facts.cost_per_mtok, 4),
        "reproduced": facts.reproduced,
        "hosts": facts.hosts,
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
        "suite": lb.suite,
        "suites": lb.suites,
        "measure": lb.measure,
        "benches": list(lb.benches),
        "max_vram_gb": lb.max_vram_gb,
        "hidden_over_budget": lb.hidden_over_budget,
        "unknown_vram_kept": lb.unknown_vram_kept,
        "cost": None if lb.prices is None else cost_basis(lb.prices),
        "hardware": lb.hardware,
    }


def leaderboard_json(lb: Leaderboard) -> Board:
    """The documented JSON shape of `arena leaderboard --format json` and /api/leaderboard."""
    rows: list[BoardRow] = [
        {"rank": r.rank, **_row_head(lb, r), **_row_tail(r)} for r in lb.ranking.rows
    ]
    return {**_envelope(lb), "rows": rows}


HeadKey = tuple[str, str, float | None, str]


def leaderboard_text(lb: Leaderboard, heads: dict[HeadKey, str]) -> str:
    """`json.dumps(leaderboard_json(lb))`, reusing each row's weight-independent text in `heads`
    (keyed preset, bucket, budget, model; valid for one Prepared), so re-weighting skips
    re-encoding."""
    parts: list[str] = []
    for r in lb.ranking.rows:
        key = (lb.preset, lb.bucket, lb.max_vram_gb, r.model)
        head = heads.get(key)
        if head is None:
            head = heads[key] = json.dumps(_row_head(lb, r), ensure_ascii=False)[1:-1]
        parts.append(f'{{"rank": {r.rank}, {head}, {_tail_text(r)}}}')
    envelope = json.dumps(_envelope(lb), ensure_ascii=False)[:-1]
    return f'{envelope}, "rows": [{", ".join(parts)}]}}'
