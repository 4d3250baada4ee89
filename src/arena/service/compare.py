"""Two to four builds of one suite side by side: headlines, their differences against the
first build and the run-to-run spread, quality, VRAM, server config and each build's runs."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence

from arena.catalog.types import Catalog
from arena.errors import ArenaError
from arena.records import BenchRecord
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
from arena.service.suites import bench_order, resolve_suite, suite_counts
from arena.store import BuildView, Store
from arena.verdicts import Flag

MIN_BUILDS, MAX_BUILDS = 2, 4
CAPACITY = "capacity_rps_5s"  # the rate sweep's headline, as the Team server preset ranks it
RULE = (
    "a difference exceeds the run-to-run spread when |value - reference| is larger than the "
    "sum of the two results' std (the standard deviation stored with each headline: "
    "llama-benchy's ± at the reference row); a std that only one of the two has counts alone; "
    "with neither, the spread is unknown"
)
RUNS_NOTE = (
    "every run of each build, oldest first, across suites: a bench id names one workload in "
    "every suite (catalog benches.toml), but a step between suites also changes the runner; "
    "`same_suite` says which steps stayed in one suite"
)


class UnknownBuildError(ArenaError):
    """A build id the store does not hold (the API answers it with 404)."""


def check_ids(ids: Sequence[str]) -> list[str]:
    """Two to four distinct build ids, else an error naming what was given."""
    given = [i.strip() for i in ids if i.strip()]
    if not MIN_BUILDS <= len(given) <= MAX_BUILDS:
        raise ArenaError(
            f"compare takes {MIN_BUILDS} to {MAX_BUILDS} build ids; got {len(given)}: "
            f"{', '.join(given) or 'none'}"
        )
    twice = sorted({i for i in given if given.count(i) > 1})
    if twice:
        raise ArenaError(f"build id '{twice[0]}' given twice; expected distinct builds")
    return given


def unknown_build(build_id: str, known: Sequence[str]) -> UnknownBuildError:
    """The error for an unknown id, naming up to three close matches."""
    near = difflib.get_close_matches(build_id, known, n=3, cutoff=0.6)
    hint = f"; did you mean: {', '.join(near)}" if near else "; see `arena leaderboard`"
    return UnknownBuildError(f"unknown build '{build_id}'{hint}")


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
    """Every run of a build, oldest first, with per-bench headline changes since the one before
    and whether each exceeds the spread (RULE)."""
    points: list[RunPoint] = []
    last: dict[str, float | None] = {}  # the spreads of the run before
    for br in store.runs(build_id):
        values = {r.bench_id: h for r in br.results if (h := headline(r.bench_id, r)) is not None}
        spreads = {r.bench_id: spread(r.bench_id, r) for r in br.results}
        before = points[-1] if points else None
        changes: dict[str, float] = {}
        beyond: dict[str, bool | None] = {}
        for bench, v in values.items():
            old = before["values"].get(bench) if before else None
            d = delta_pct(v, old)
            if d is not None:
                changes[bench] = d
                beyond[bench] = exceeds(v, old, spreads.get(bench), last.get(bench))
        last = spreads
        points.append(
            {
                "run_id": br.run.id,
                "suite": br.run.suite,
                "date": br.run.date,
                "engine": br.run.engine,
                "engine_version": br.run.engine_version,
                "values": values,
                "previous": before["run_id"] if before else None,
                "same_suite": None if before is None else before["suite"] == br.run.suite,
                "delta_pct": changes,
                "exceeds_spread": beyond,
            }
        )
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
    store: Store, catalog: Catalog, ids: Sequence[str], suite: str | None = None
) -> Comparison:
    """Builds side by side in one suite (default: the newest catalog suite all of them have a
    run in), the first one the reference; unknown ids and suites are one-line errors."""
    ids = check_ids(ids)
    every: list[BuildView] = []
    known = store.build_ids()
    for i in ids:
        found = store.build(i)
        if found is None:
            raise unknown_build(i, known)
        every.append(found)
    per_build = [suite_counts([v]) for v in every]
    if suite is not None:
        resolve_suite(catalog, store.suite_sizes(), suite)  # an unknown suite is an error
    shared = {s: 1 for s in set.intersection(*(set(c) for c in per_build))}
    if suite is not None and suite not in shared:
        lacking = next(v.build.id for v, c in zip(every, per_build, strict=True) if suite not in c)
        raise ArenaError(f"build '{lacking}' has no run in suite '{suite}'")
    chosen = suite if suite is not None else resolve_suite(catalog, shared, None)
    if chosen is None or chosen not in shared:
        listed = "; ".join(
            f"{v.build.id}: {', '.join(sorted(c)) or 'none'}"
            for v, c in zip(every, per_build, strict=True)
        )
        raise ArenaError(f"these builds share no suite ({listed})")
    views = [store.build(i, suite=chosen) for i in ids]
    shown = [v for v in views if v is not None]
    stored = {b for v in shown for b in v.results}
    return {
        "suite": chosen,
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
