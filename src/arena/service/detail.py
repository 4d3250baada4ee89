"""One build as JSON: metadata, quality with sources, runs, every bench with provenance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arena.catalog import bytes_per_param
from arena.catalog.types import Catalog, CostConfig
from arena.records import BenchRecord, Energy, RunInfo, Sanity
from arena.service.cost import bench_cost
from arena.service.leaderboard import ttft_of
from arena.service.roofline import roofline
from arena.service.shapes import (
    BenchDetail,
    BuildDetail,
    CapacityShape,
    EnergyShape,
    QualityEntry,
    RooflineShape,
    RunEntry,
    SanityDetail,
    StepShape,
)
from arena.service.suites import bench_order, suite_benches
from arena.service.trust import NO_TRUST, Trust, cohort_runs, host_of, trust
from arena.store.views import BuildView, RunView


def sanity_detail(s: Sanity | None) -> SanityDetail:
    """A run's sanity check; none recorded = not checked."""
    if s is None:
        return {"verdict": "not-checked", "answer": None, "reason": None, "source": None}
    return {"verdict": s.verdict, "answer": s.answer, "reason": s.reason, "source": s.source}


def energy_detail(e: Energy | None) -> EnergyShape | None:
    """Every Energy field, the four the contract names first."""
    if e is None:
        return None
    return {
        "mean_power_w": e.mean_power_w,
        "peak_power_w": e.peak_power_w,
        "joules_per_output_token": e.joules_per_output_token,
        "source": e.source,
        "samples": e.samples,
        "peak_temp_c": e.peak_temp_c,
        "duration_s": e.duration_s,
        "duration_source": e.duration_source,
        "output_tokens": e.output_tokens,
        "tokens_per_watt": e.tokens_per_watt,
    }


def _entries(value: object) -> list[Mapping[str, Any]] | None:
    """The dict entries of a distribution list (None when the bench has no such list)."""
    if not isinstance(value, list):
        return None
    return [x for x in value if isinstance(x, dict)]


def capacity_detail(rec: BenchRecord) -> list[CapacityShape] | None:
    """A rate sweep's capacity per p95-TTFT limit, as stored."""
    found = _entries(rec.distribution.get("capacity"))
    if found is None:
        return None
    return [
        {
            "ttft_p95_limit_ms": c.get("ttft_p95_limit_ms"),
            "offered_rps": c.get("offered_rps"),
            "achieved_rps": c.get("achieved_rps"),
            "ttft_p95_ms": c.get("ttft_p95_ms"),
        }
        for c in found
    ]


def steps_detail(rec: BenchRecord) -> list[StepShape] | None:
    """A rate sweep's steps, one per offered rate, as stored."""
    found = _entries(rec.distribution.get("steps"))
    if found is None:
        return None
    return [
        {
            "offered_rps": s.get("offered_rps"),
            "achieved_rps": s.get("achieved_rps"),
            "completed": s.get("completed"),
            "total": s.get("total"),
            "ttft_p50_ms": s.get("ttft_p50_ms"),
            "ttft_p95_ms": s.get("ttft_p95_ms"),
            "ttft_p99_ms": s.get("ttft_p99_ms"),
            "output_tps": s.get("output_tps"),
            "peak_concurrency": s.get("peak_concurrency"),
        }
        for s in found
    ]


def bench_detail(
    rec: BenchRecord,
    run_id: str | None,
    roof: RooflineShape | None = None,
    prices: CostConfig | None = None,
) -> BenchDetail:
    """One stored result with its provenance, energy, (for a rate sweep) capacity, (for a
    closed loop on a known box) the roofline and (with the user's prices) the cost."""
    return {
        "tps_per_user": rec.tps_per_user,
        "tps_total": rec.tps_total,
        "ttft_p50_ms": rec.ttft_p50_ms,
        "ttft_p95_ms": rec.ttft_p95_ms,
        "ttft_mean_ms": rec.ttft_mean_ms,
        "ttft_ms": ttft_of(rec),
        "std": rec.std,
        "completed": rec.completed,
        "failed": rec.failed,
        "rows": rec.rows,
        "distribution": rec.distribution,
        "notes": rec.notes,
        "source": {
            "tool": rec.source.tool,
            "tool_version": rec.source.tool_version,
            "file": rec.source.file,
            "command": rec.source.command,
            "date": rec.source.date,
        },
        "run_id": run_id,
        "flags": [str(f) for f in rec.flags],
        "energy": energy_detail(rec.energy),
        "capacity": capacity_detail(rec),
        "steps": steps_detail(rec),
        "roofline": roof,
        "cost": bench_cost(prices, rec.energy),
    }


def run_entry(rv: RunView, signals: Trust = NO_TRUST) -> RunEntry:
    """One stored run as listed on a build's page: who sent it and when, a retraction, and
    whether it agrees with the result shown (`signals` of the shown suite and hardware)."""
    r: RunInfo = rv.run
    return {
        "id": r.id,
        "suite": r.suite,
        "date": r.date,
        "engine_version": r.engine_version,
        "engine": r.engine,
        "hardware_id": r.hardware_id,
        "recorded_at": rv.recorded_at,
        "origin": r.origin,
        "benches": list(rv.benches),
        "good": list(rv.good),
        "command": r.command,
        "source_dir": r.source_dir,
        "tool_versions": r.tool_versions,
        "environment": r.environment,
        "sanity": sanity_detail(r.sanity),
        "submitted_by": rv.submitted_by,
        "host": host_of(rv),
        "submitted_at": rv.submitted_at,
        "content_hash": rv.content_hash,
        "retracted": None
        if rv.retracted_at is None
        else {"at": rv.retracted_at, "reason": rv.retract_reason},
        "agreement": signals.agreement.get(r.id),
    }


def build_detail(view: BuildView, catalog: Catalog) -> BuildDetail:
    """The documented shape of `arena show BUILD --format json` and /api/models/{id}: the build
    as seen in one suite (or one run), with every run of the build listed."""
    b = view.build
    suite = view.suite or (view.run.suite if view.run else None)
    compared = cohort_runs(view.runs, suite, view.hardware_filter or view.hardware.id)
    signals = trust(compared, view.results) if compared else NO_TRUST
    benches: dict[str, BenchDetail | None] = {}
    per_param = bytes_per_param().get(b.precision.lower())
    profile = catalog.hardware.get(view.hardware.id)
    for bench_id in bench_order(catalog, suite, view.results):
        rec = view.results.get(bench_id)
        if rec is None:
            benches[bench_id] = None
            continue
        roof = roofline(
            catalog.benches.get(bench_id),
            rec.rows,
            rec.tps_per_user,
            b.params_active_b,
            per_param,
            profile,
        )
        benches[bench_id] = bench_detail(rec, view.result_runs.get(bench_id), roof, catalog.cost)
    quality: dict[str, list[QualityEntry]] = {}
    for q in view.quality:
        quality.setdefault(q.metric, []).append(
            {
                "value": q.value,
                "kind": q.kind,
                "source": q.source,
                "retrieved": q.retrieved,
                "note": q.note,
                "details": q.details,
                "build_specific": q.build_id is not None,
            }
        )
    return {
        "id": b.id,
        "name": b.name,
        "base_model": b.base_model,
        "checkpoint": b.checkpoint,
        "vendor": b.vendor,
        "architecture": b.architecture,
        "params_total_b": b.params_total_b,
        "params_active_b": b.params_active_b,
        "precision": b.precision,
        "bucket": catalog.size_bucket(b.params_total_b),
        "engine": b.engine,
        "engine_version": b.engine_version,
        "server_config": b.server_config,
        "hardware": {"id": view.hardware.id, "name": view.hardware.name},
        "vram_gb": b.vram_gb,
        "vram_method": b.vram_method,
        "vram_source": b.vram_source,
        "run_date": b.run_date,
        "origin": view.origin,
        "card_url": view.base.card_url if view.base else None,
        "quality": quality,
        "suite": suite,
        "run_id": view.run.id if view.run else None,
        "sanity": sanity_detail(view.run.sanity if view.run else None),
        "runs": [run_entry(rv, signals) for rv in view.runs],
        "reproduced": signals.reproduced,
        "hosts": signals.hosts,
        "benches_total": len(suite_benches(catalog, suite) or catalog.benches),
        "benches_measured": sum(
            1 for v in benches.values() if v is not None and v["tps_per_user"] is not None
        ),
        "benches": benches,
    }
