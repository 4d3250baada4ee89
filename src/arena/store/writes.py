"""Row writes behind Store: upserts keyed so that loading the same input twice changes nothing."""

from __future__ import annotations

import hashlib
import json
from copy import deepcopy
from dataclasses import asdict, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.errors import ArenaError
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    Dataset,
    HardwareInfo,
    QualityRecord,
    RunInfo,
)
from arena.store.schema import (
    BaseModelRow,
    BenchResult,
    Build,
    Hardware,
    MetaRow,
    QualityScore,
    RunRow,
)

# The suite of results written without a run (suite v1's benches were the only ones then).
LEGACY_SUITE = "v1"


def set_meta(s: Session, key: str, value: str) -> None:
    """Insert or overwrite one store-level fact."""
    row = s.get(MetaRow, key)
    if row:
        row.value = value
    else:
        s.add(MetaRow(key=key, value=value))


def load_dataset(s: Session, ds: Dataset) -> None:
    """Write every row of a dataset inside the caller's transaction."""
    for hw in ds.hardware:
        put_hardware(s, hw)
    for bm in ds.base_models:
        put_base_model(s, bm)
    origin = f"dataset:{ds.name}" if ds.attribution else "user"
    for build in ds.builds:
        put_build(s, build, origin)
    for br in ds.runs:
        run = br.run if br.run.origin != "user" else replace(br.run, origin=origin)
        put_run(s, br.build_id, run, br.results)
    for q in ds.quality:
        put_quality(s, q)
    if ds.attribution:
        info = {"attribution": ds.attribution, "license": ds.license, "source": ds.source}
        set_meta(s, f"dataset:{ds.name}", json.dumps(info))


def put_hardware(s: Session, hw: HardwareInfo) -> None:
    """Insert a hardware row or rename the stored one."""
    row = s.get(Hardware, hw.id)
    if row:
        row.name = hw.name
        if hw.memory_gb is not None:
            row.memory_gb = hw.memory_gb
    else:
        s.add(Hardware(id=hw.id, name=hw.name, memory_gb=hw.memory_gb))


def put_base_model(s: Session, bm: BaseModelInfo) -> None:
    """Insert a base model, or fill in the facts it brings."""
    row = s.get(BaseModelRow, bm.id)
    if row is None:
        s.add(BaseModelRow(**asdict(bm)))
        s.flush()
        return
    for key, value in asdict(bm).items():
        if value is not None:
            setattr(row, key, value)


def put_build(s: Session, b: BuildInfo, origin: str) -> None:
    """Insert or update a build; a dataset origin replaces a user one."""
    if s.get(Hardware, b.hardware_id) is None:
        raise ArenaError(f"build '{b.id}': unknown hardware '{b.hardware_id}'")
    if s.get(BaseModelRow, b.base_model) is None:
        put_base_model(s, BaseModelInfo(id=b.base_model))
    values = asdict(b)
    values["base_model_id"] = values.pop("base_model")
    row = s.get(Build, b.id)
    if row is None:
        s.add(Build(**values, origin=origin))
    else:
        for key, value in values.items():
            setattr(row, key, value)
        if origin != "user":
            row.origin = origin
    s.flush()


def derived_run(build: BuildInfo, results: list[BenchRecord]) -> RunInfo:
    """A run for results written without one: its id hashes the results, so rewriting the same
    results is a no-op and different ones make a new run."""
    text = json.dumps([asdict(r) for r in results], sort_keys=True, default=str)
    digest = hashlib.sha256(f"{build.id}\n{text}".encode()).hexdigest()[:20]
    return RunInfo.of_build(build, "d" + digest, LEGACY_SUITE)


def put_run(s: Session, build_id: str, run: RunInfo, results: list[BenchRecord]) -> bool:
    """Insert a run and its results; False (nothing written) when the run id is stored already."""
    if s.get(RunRow, run.id) is not None:
        return False
    if s.get(Hardware, run.hardware_id) is None:
        raise ArenaError(f"run '{run.id}': unknown hardware '{run.hardware_id}'")
    values = asdict(run)
    sanity = values.pop("sanity")
    s.add(
        RunRow(
            **values,
            build_id=build_id,
            sanity=sanity,
            recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
        )
    )
    s.flush()
    for rec in results:
        put_result(s, build_id, run.id, rec)
    return True


def put_result(s: Session, build_id: str, run_id: str, r: BenchRecord) -> None:
    """Insert or replace the result of one bench within one run."""
    values: dict[str, object] = dict(
        tps_per_user=r.tps_per_user,
        tps_total=r.tps_total,
        ttft_p50_ms=r.ttft_p50_ms,
        ttft_p95_ms=r.ttft_p95_ms,
        ttft_mean_ms=r.ttft_mean_ms,
        std=r.std,
        rows=deepcopy(r.rows),
        distribution=deepcopy(r.distribution),
        completed=r.completed,
        failed=r.failed,
        notes=list(r.notes),
        flags=[str(f) for f in r.flags],
        tool=r.source.tool,
        tool_version=r.source.tool_version,
        source_file=r.source.file,
        command=r.source.command,
        measured_at=r.source.date,
        energy=asdict(r.energy) if r.energy is not None else None,
    )
    row = s.scalars(
        select(BenchResult).where(BenchResult.run_id == run_id, BenchResult.bench_id == r.bench_id)
    ).one_or_none()
    if row is None:
        s.add(BenchResult(run_id=run_id, build_id=build_id, bench_id=r.bench_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)


def put_quality(s: Session, q: QualityRecord) -> None:
    """Insert or replace one quality number by its key."""
    if s.get(BaseModelRow, q.base_model) is None:
        put_base_model(s, BaseModelInfo(id=q.base_model))
    build_id = q.build_id or ""
    row = s.scalars(
        select(QualityScore).where(
            QualityScore.base_model_id == q.base_model,
            QualityScore.build_id == build_id,
            QualityScore.metric == q.metric,
            QualityScore.kind == q.kind,
        )
    ).one_or_none()
    fields = dict(
        value=q.value, source=q.source, retrieved=q.retrieved, note=q.note, details=q.details
    )
    if row is None:
        s.add(
            QualityScore(
                base_model_id=q.base_model,
                build_id=build_id,
                metric=q.metric,
                kind=q.kind,
                **fields,
            )
        )
    else:
        for key, value in fields.items():
            setattr(row, key, value)
