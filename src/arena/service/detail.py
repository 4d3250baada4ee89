"""One build as JSON: metadata, quality with sources, every bench with provenance."""

from __future__ import annotations

from arena.catalog.types import Catalog
from arena.service.leaderboard import ttft_of
from arena.service.shapes import BenchDetail, BuildDetail, QualityEntry
from arena.store.views import BuildView


def build_detail(view: BuildView, catalog: Catalog) -> BuildDetail:
    """The documented shape of `arena show BUILD --format json` and /api/models/{id}."""
    b = view.build
    benches: dict[str, BenchDetail | None] = {}
    for bench_id in [*catalog.benches, *sorted(set(view.results) - set(catalog.benches))]:
        rec = view.results.get(bench_id)
        if rec is None:
            benches[bench_id] = None
            continue
        benches[bench_id] = {
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
        }
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
        "benches_measured": sum(
            1 for v in benches.values() if v is not None and v["tps_per_user"] is not None
        ),
        "benches": benches,
    }
