"""Row reads behind Store: database rows mapped back to the records and views callers use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    HardwareInfo,
    Provenance,
    QualityRecord,
)
from arena.store.schema import BaseModelRow, BenchResult, Build, Hardware, QualityScore
from arena.store.views import BuildView
from arena.verdicts import Flag


def base_model_info(b: BaseModelRow) -> BaseModelInfo:
    """The curated facts of a base model row."""
    return BaseModelInfo(
        id=b.id,
        vendor=b.vendor,
        architecture=b.architecture,
        arch_note=b.arch_note,
        params_total_b=b.params_total_b,
        params_active_b=b.params_active_b,
        card_url=b.card_url,
    )


def build_views(s: Session, builds: list[Build]) -> list[BuildView]:
    """Map build rows to views with their hardware, base model, results and quality."""
    ids = [b.id for b in builds]
    hw = {h.id: HardwareInfo(h.id, h.name) for h in s.scalars(select(Hardware))}
    bases = {b.id: base_model_info(b) for b in s.scalars(select(BaseModelRow))}
    results: dict[str, dict[str, BenchRecord]] = {i: {} for i in ids}
    for r in s.scalars(select(BenchResult).where(BenchResult.build_id.in_(ids))):
        results[r.build_id][r.bench_id] = bench_record(r)
    quality: dict[str, list[QualityRecord]] = {}
    for q in s.scalars(select(QualityScore).order_by(QualityScore.metric)):
        quality.setdefault(q.base_model_id, []).append(
            QualityRecord(
                base_model=q.base_model_id,
                metric=q.metric,
                value=q.value,
                source=q.source,
                retrieved=q.retrieved,
                kind=q.kind,  # type: ignore[arg-type]
                build_id=q.build_id or None,
                note=q.note,
                details=dict(q.details) if q.details else None,
            )
        )
    views = []
    for b in builds:
        base = bases.get(b.base_model_id)
        info = BuildInfo(
            id=b.id,
            name=b.name,
            base_model=b.base_model_id,
            precision=b.precision,
            hardware_id=b.hardware_id,
            checkpoint=b.checkpoint,
            vendor=b.vendor or (base.vendor if base else None),
            architecture=b.architecture or (base.architecture if base else None),
            params_total_b=b.params_total_b,
            params_active_b=b.params_active_b,
            engine=b.engine,
            engine_version=b.engine_version,
            server_config=dict(b.server_config or {}),
            vram_gb=b.vram_gb,
            vram_method=b.vram_method,  # type: ignore[arg-type]
            vram_source=b.vram_source,
            run_date=b.run_date,
        )
        mine = [q for q in quality.get(b.base_model_id, []) if q.build_id in (None, b.id)]
        views.append(
            BuildView(
                build=info,
                hardware=hw[b.hardware_id],
                base=bases.get(b.base_model_id),
                origin=b.origin,
                results=results[b.id],
                quality=mine,
            )
        )
    return views


def bench_record(r: BenchResult) -> BenchRecord:
    """A stored result as the record it was written from."""
    return BenchRecord(
        bench_id=r.bench_id,
        tps_per_user=r.tps_per_user,
        tps_total=r.tps_total,
        ttft_p50_ms=r.ttft_p50_ms,
        ttft_p95_ms=r.ttft_p95_ms,
        ttft_mean_ms=r.ttft_mean_ms,
        std=r.std,
        source=Provenance(
            tool=r.tool,
            tool_version=r.tool_version,
            file=r.source_file,
            command=r.command,
            date=r.measured_at,
        ),
        rows=list(r.rows or []),
        distribution=dict(r.distribution or {}),
        completed=r.completed,
        failed=r.failed,
        notes=list(r.notes or []),
        flags=tuple(Flag(f) for f in r.flags or []),
    )
