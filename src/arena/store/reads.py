"""Row reads behind Store: database rows mapped back to the records and views callers use."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    HardwareInfo,
    QualityRecord,
    RunInfo,
    Sanity,
)
from arena.store.schema import BaseModelRow, BenchResult, Build, Hardware, QualityScore, RunRow
from arena.store.summaries import result_record, summary_results
from arena.store.views import BuildView, RunView
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


def run_info(r: RunRow) -> RunInfo:
    """A stored run as the record it was written from."""
    sanity = Sanity(**r.sanity) if r.sanity else None  # type: ignore[arg-type]
    return RunInfo(
        id=r.id,
        suite=r.suite,
        hardware_id=r.hardware_id,
        date=r.date,
        engine=r.engine,
        engine_version=r.engine_version,
        server_config=dict(r.server_config or {}),
        tool_versions=dict(r.tool_versions or {}),
        environment=dict(r.environment or {}),
        source_files=dict(r.source_files or {}),
        source_dir=r.source_dir,
        command=r.command,
        sanity=sanity,
        vram_gb=r.vram_gb,
        vram_method=r.vram_method,  # type: ignore[arg-type]
        vram_source=r.vram_source,
        origin=r.origin,
    )


@dataclasses.dataclass(frozen=True)
class Picked:
    """Per bench the result a view shows, the run it came from, and the run most came from."""

    results: dict[str, BenchRecord]
    result_runs: dict[str, str]
    principal: RunView | None


def pick(
    runs: list[RunView], by_run: dict[str, dict[str, BenchRecord]], attempts: bool = False
) -> Picked:
    """Newest result with a headline per bench; a bench with none shows its newest attempt,
    one flagged FAILED only when `attempts` (a one-run view), never as the build's result.
    A retracted run is never picked, except when it is the one run asked for (`attempts`)."""
    if not attempts:
        runs = [rv for rv in runs if not rv.retracted]
    results: dict[str, BenchRecord] = {}
    origin: dict[str, str] = {}
    for rv in runs:  # newest first
        for bench in rv.good:
            if bench not in results:
                results[bench], origin[bench] = by_run[rv.run.id][bench], rv.run.id
    for rv in runs:
        for bench in rv.benches:
            if not attempts and Flag.FAILED in by_run[rv.run.id][bench].flags:
                continue
            if bench not in results:
                results[bench], origin[bench] = by_run[rv.run.id][bench], rv.run.id
    counts = Counter(origin.values())
    principal = None
    for rv in runs:  # newest first, so a tie goes to the newer run
        if counts[rv.run.id] and (
            principal is None or counts[rv.run.id] > counts[principal.run.id]
        ):
            principal = rv
    if principal is None and runs:
        principal = runs[0]
    return Picked(results, origin, principal)


def stored_results(s: Session, build_ids: list[str]) -> dict[str, dict[str, BenchRecord]]:
    """Every result of these builds, by run id and bench id."""
    by_run: dict[str, dict[str, BenchRecord]] = {}
    for r in s.scalars(select(BenchResult).where(BenchResult.build_id.in_(build_ids))):
        by_run.setdefault(r.run_id, {})[r.bench_id] = bench_record(r)
    return by_run


MEASURED_VRAM = ("measured", "engine-log")  # methods tied to one run's server


def _vram(b: BuildInfo, run: RunInfo) -> tuple[float | None, str | None, str | None]:
    """A figure the user set; else the run's measured VRAM; else the build's estimate; never a
    figure measured in another run (a v1 boot log says nothing about a v2 run)."""
    if b.vram_gb is not None and b.vram_method == "manual":
        return b.vram_gb, b.vram_method, b.vram_source
    if run.vram_gb is not None and run.vram_method in MEASURED_VRAM:
        return run.vram_gb, run.vram_method, run.vram_source
    if b.vram_gb is not None and b.vram_method == "estimated":
        return b.vram_gb, b.vram_method, b.vram_source
    return run.vram_gb, run.vram_method, run.vram_source


def _as_of_run(b: BuildInfo, run: RunInfo | None) -> BuildInfo:
    """The build's facts as measured in `run`: engine, config, VRAM and date are the run's."""
    if run is None:
        return b
    gb, method, source = _vram(b, run)
    return dataclasses.replace(
        b,
        hardware_id=run.hardware_id,
        engine=run.engine or b.engine,
        engine_version=run.engine_version or b.engine_version,
        server_config=dict(run.server_config) or b.server_config,
        vram_gb=gb,
        vram_method=method,  # type: ignore[arg-type]
        vram_source=source,
        run_date=run.date or b.run_date,
    )


def run_views(
    s: Session, build_ids: list[str], scope: Select[Any] | None = None, full: bool = True
) -> tuple[dict[str, list[RunView]], dict[str, dict[str, BenchRecord]]]:
    """Each build's runs, newest first, and every result of them by run id and bench id
    (`scope`: a query of the same ids, cheaper than a long IN list; `full` False: results as
    `summary_results` reads them)."""
    where = build_ids if scope is None else scope
    by_run = stored_results(s, build_ids) if full else summary_results(s, where)
    runs: dict[str, list[RunView]] = {i: [] for i in build_ids}
    for rr in s.scalars(select(RunRow).where(RunRow.build_id.in_(where))):
        held = by_run.get(rr.id, {})
        good = tuple(k for k, v in held.items() if _is_good(v))
        runs[rr.build_id].append(
            RunView(
                run_info(rr),
                rr.recorded_at,
                tuple(held),
                good,
                submitted_by=rr.submitted_by,
                submitted_at=rr.submitted_at,
                retracted_at=rr.retracted_at,
                retract_reason=rr.retract_reason,
                content_hash=rr.content_hash,
                results=held,
            )
        )
    for listed in runs.values():
        listed.sort(key=lambda rv: rv.order_key, reverse=True)
    return runs, by_run


def build_views(
    s: Session,
    builds: list[Build],
    suite: str | None = None,
    run_id: str | None = None,
    hardware: str | None = None,
    scope: Select[Any] | None = None,
    full: bool = True,
) -> list[BuildView]:
    """Map build rows to views of one suite (all when None) on one hardware (all when None),
    or of one run (`scope` and `full` as in `run_views`)."""
    ids = [b.id for b in builds]
    hw = {h.id: HardwareInfo(h.id, h.name, h.memory_gb) for h in s.scalars(select(Hardware))}
    bases = {b.id: base_model_info(b) for b in s.scalars(select(BaseModelRow))}
    runs, by_run = run_views(s, ids, scope, full)
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
        if run_id is not None:
            chosen = [rv for rv in runs[b.id] if rv.run.id == run_id]
        else:
            chosen = [
                rv
                for rv in runs[b.id]
                if (suite is None or rv.run.suite == suite)
                and (hardware is None or rv.run.hardware_id == hardware)
            ]
        picked = pick(chosen, by_run, attempts=run_id is not None)
        principal = picked.principal.run if picked.principal else None
        base = bases.get(b.base_model_id)
        info = build_info(b, base)
        info = _as_of_run(info, principal)
        mine = [q for q in quality.get(b.base_model_id, []) if q.build_id in (None, b.id)]
        views.append(
            BuildView(
                build=info,
                hardware=hw[info.hardware_id],
                base=bases.get(b.base_model_id),
                origin=principal.origin if principal else b.origin,
                results=picked.results,
                quality=mine,
                suite=suite,
                run=principal,
                result_runs=picked.result_runs,
                runs=runs[b.id],
                hardware_filter=hardware if run_id is None else None,
                complete=full,
            )
        )
    return views


def _is_good(r: BenchRecord) -> bool:
    """A result a suite view may show: it has a headline and is not a failed attempt."""
    if Flag.FAILED in r.flags:
        return False
    return r.tps_per_user is not None or _has_capacity(r)


def _has_capacity(r: BenchRecord) -> bool:
    """A rate sweep has no per-user headline; it counts when it measured some step."""
    steps = r.distribution.get("steps")
    return isinstance(steps, list) and len(steps) > 0


def build_info(b: Build, base: BaseModelInfo | None = None) -> BuildInfo:
    """A build row as written; vendor and architecture fall back to its base model's."""
    return BuildInfo(
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


def bench_record(r: BenchResult) -> BenchRecord:
    """A stored result as the record it was written from."""
    return result_record(r, list(r.rows or []), dict(r.distribution or {}), list(r.notes or []))
