"""Two to four builds of one suite side by side: headlines, their differences against the
first build and the run-to-run spread, quality, VRAM, server config and each build's runs."""

from __future__ import annotations

import json
from collections.abc import Sequence

from arena.catalog.types import Catalog
from arena.records import BenchRecord
from arena.service.compare_scope import check_ids, known_views, shared_hardware, shared_suite
from arena.service.compare_shapes import (
    BenchCompare,
    BuildRef,
    BuildRuns,
    Comparison,
    ConfigDiff,
    QualityCompare,
    RunPoint,
)
from arena.service.leaderboard import RATE_SWEEP, capacity_measures, chosen_quality
from arena.service.suites import bench_order
from arena.store import BuildView, Store
from arena.verdicts import Flag

CAPACITY = "capacity_rps_5s"  # the rate sweep's headline, as the Team server preset ranks it
RULE = (
    "a difference exceeds the run-to-run spread when |value - reference| is larger than the "
    "sum of the two results' std (the standard deviation stored with each headline: "
    "llama-benchy's ± at the reference row); a std that only one of the two has counts alone; "
    "with neither, the spread is unknown"
)
RUNS_NOTE = (
    "every run of each build, oldest first, across suites and hardware: a bench id names one "
    "workload in every suite (catalog benches.toml), but a step between suites also changes "
    "the runner; `same_suite` says which steps stayed in one suite; a step compares a run only "
    "with the run before it on the same hardware (`hardware`, `previous`)"
)


def headline(bench: str, rec: BenchRecord | None) -> float | None:
    """The number the leaderboard ranks a bench by: tok/s per user, or for the rate sweep the
    requests/s sustained at p95 TTFT <= 5 s; none for a failed attempt."""
    if rec is None or Flag.FAILED in rec.flags:
        return None
    if bench == RATE_SWEEP:
        return capacity_measures(rec).get(CAPACITY)
    return rec.tps_per_user


def spread(bench: str, rec: BenchRecord | None) -> float | None:
    """The std stored with a headline (none for the rate sweep's capacity)."""
    if rec is None or bench == RATE_SWEEP:
        return None
    return rec.std


def delta_pct(value: float | None, ref: float | None) -> float | None:
    """Change against the reference in percent; none without both numbers or with a zero one."""
    if value is None or ref is None or ref == 0:
        return None
    return (value - ref) / abs(ref) * 100


def exceeds(
    value: float | None, ref: float | None, s_value: float | None, s_ref: float | None
) -> bool | None:
    """The rule in RULE: None when a number is missing or neither result has a spread."""
    if value is None or ref is None or (s_value is None and s_ref is None):
        return None
    return abs(value - ref) > (s_value or 0.0) + (s_ref or 0.0)


def verdict(i: int, value: float | None, ex: bool | None, ref: float | None) -> str:
    """How one cell reads: reference, exceeds, within, spread unknown, no reference or no
    value."""
    if value is None:
        return "no value"
    if i == 0:
        return "reference"
    if ref is None:
        return "no reference"
    if ex is None:
        return "spread unknown"
    return "exceeds" if ex else "within"


def bench_row(catalog: Catalog, bench: str, views: Sequence[BuildView]) -> BenchCompare:
    """One bench across the builds, index 0 the reference."""
    recs = [v.results.get(bench) for v in views]
    values = [headline(bench, r) for r in recs]
    spreads = [spread(bench, r) for r in recs]
    deltas: list[float | None] = [None]
    flags: list[bool | None] = [None]
    for v, s in zip(values[1:], spreads[1:], strict=True):
        deltas.append(delta_pct(v, values[0]))
        flags.append(exceeds(v, values[0], s, spreads[0]))
    found = catalog.benches.get(bench)
    return {
        "bench": bench,
        "title": found.title if found else bench,
        "unit": "req/s at p95 TTFT <= 5 s" if bench == RATE_SWEEP else "tok/s per user",
        "measure": CAPACITY if bench == RATE_SWEEP else "tps_per_user",
        "values": values,
        "spread": spreads,
        "delta_pct": deltas,
        "exceeds_spread": flags,
        "verdict": [
            verdict(i, v, f, values[0]) for i, (v, f) in enumerate(zip(values, flags, strict=True))
        ],
        "run_ids": [v.result_runs.get(bench) for v in views],
    }


def quality_rows(catalog: Catalog, views: Sequence[BuildView]) -> list[QualityCompare]:
    """Per metric the number the leaderboard counts for each build, with kind and source."""
    chosen = [chosen_quality(v, catalog.quality_prefer) for v in views]
    metrics = sorted({m for c in chosen for m in c})
    out: list[QualityCompare] = []
    for m in metrics:
        picked = [c.get(m) for c in chosen]
        sources: list[str | None] = []
        for v, q in zip(views, picked, strict=True):
            rec = None
            if q is not None:
                rec = next(
                    (
                        r
                        for r in v.quality
                        if r.metric == m
                        and r.value == q.value
                        and r.kind == q.kind
                        and (r.build_id is not None) == q.for_build
                    ),
                    None,
                )
            sources.append(rec.source if rec else None)
        values = [q.value if q else None for q in picked]
        out.append(
            {
                "metric": m,
                "values": values,
                "kinds": [q.kind if q else None for q in picked],
                "sources": sources,
                "delta": [
                    None if i == 0 or v is None or values[0] is None else v - values[0]
                    for i, v in enumerate(values)
                ],
            }
        )
    return out


def _text(value: object) -> str:
    """A config value as one line: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def config_diff(views: Sequence[BuildView]) -> list[ConfigDiff]:
    """Engine, engine version, hardware, then every server-config key whose values differ."""
    facts = [
        {
            "engine": v.build.engine,
            "engine_version": v.build.engine_version,
            "hardware": v.hardware.id,
            **{f"server_config.{k}": x for k, x in v.build.server_config.items()},
        }
        for v in views
    ]
    keys = ["engine", "engine_version", "hardware"]
    keys += sorted({k for f in facts for k in f} - set(keys))
    out: list[ConfigDiff] = []
    for k in keys:
        values = [None if f.get(k) is None else _text(f[k]) for f in facts]
        if len(set(values)) > 1:
            out.append({"key": k, "values": values})
    return out


def build_runs(store: Store, build_id: str) -> BuildRuns:
    """Every run of a build, oldest first, with per-bench headline changes since the run before
    it on the same hardware and whether each exceeds the spread (RULE)."""
    points: list[RunPoint] = []
    before_on: dict[str, RunPoint] = {}  # per hardware, the run before
    spreads_on: dict[str, dict[str, float | None]] = {}  # per hardware, its spreads
    for br in store.runs(build_id):
        hw = br.run.hardware_id
        values = {r.bench_id: h for r in br.results if (h := headline(r.bench_id, r)) is not None}
        spreads = {r.bench_id: spread(r.bench_id, r) for r in br.results}
        before, last = before_on.get(hw), spreads_on.get(hw, {})
        changes: dict[str, float] = {}
        beyond: dict[str, bool | None] = {}
        for bench, v in values.items():
            old = before["values"].get(bench) if before else None
            d = delta_pct(v, old)
            if d is not None:
                changes[bench] = d
                beyond[bench] = exceeds(v, old, spreads.get(bench), last.get(bench))
        point: RunPoint = {
            "run_id": br.run.id,
            "suite": br.run.suite,
            "hardware": hw,
            "date": br.run.date,
            "engine": br.run.engine,
            "engine_version": br.run.engine_version,
            "values": values,
            "previous": before["run_id"] if before else None,
            "same_suite": None if before is None else before["suite"] == br.run.suite,
            "delta_pct": changes,
            "exceeds_spread": beyond,
        }
        points.append(point)
        before_on[hw], spreads_on[hw] = point, spreads
    return {"build": build_id, "runs": points}


def build_ref(v: BuildView) -> BuildRef:
    """What names a compared build."""
    b = v.build
    return {
        "id": b.id,
        "name": b.name,
        "precision": b.precision,
        "engine": b.engine,
        "engine_version": b.engine_version,
        "hardware": v.hardware.name,
        "run_id": v.run.id if v.run else None,
    }


def compare(
    store: Store,
    catalog: Catalog,
    ids: Sequence[str],
    suite: str | None = None,
    hardware: str | None = None,
) -> Comparison:
    """Builds side by side in one suite (default: the newest catalog suite all of them have a
    run in) on one hardware (default: the suite's default hardware, else one all of them have
    a run on), the first one the reference; unknown ids, suites and hardware are one-line
    errors."""
    ids = check_ids(ids)
    every = known_views(store, ids)
    chosen = shared_suite(store, catalog, every, suite)
    names = store.hardware_names()
    sizes = store.hardware_sizes().get(chosen, {})
    hw = shared_hardware(every, chosen, sizes, names, hardware)
    views = [store.build(i, suite=chosen, hardware=hw) for i in ids]
    shown = [v for v in views if v is not None]
    stored = {b for v in shown for b in v.results}
    return {
        "suite": chosen,
        "hardware": {"id": hw, "name": names.get(hw, hw)},
        "rule": RULE,
        "reference": ids[0],
        "builds": [build_ref(v) for v in shown],
        "benches": [bench_row(catalog, b, shown) for b in bench_order(catalog, chosen, stored)],
        "quality": quality_rows(catalog, shown),
        "vram": [
            {"gb": v.build.vram_gb, "method": v.build.vram_method, "source": v.build.vram_source}
            for v in shown
        ],
        "config_diff": config_diff(shown),
        "runs_over_time": [build_runs(store, i) for i in ids],
        "runs_note": RUNS_NOTE,
    }
