"""One stored run with everything a board needs to store it too: hardware, build, base model,
the run and its results, read in one session."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.records import BaseModelInfo, BenchRecord, BuildInfo, HardwareInfo, RunInfo
from arena.store.reads import base_model_info, bench_record, run_info
from arena.store.repo import Store
from arena.store.schema import BaseModelRow, BenchResult, Build, Hardware, RunRow


@dataclass(frozen=True)
class RunParts:
    """The rows of one run as records (the dataset layer makes a bundle of them)."""

    hardware: HardwareInfo
    build: BuildInfo
    run: RunInfo
    results: list[BenchRecord]
    base_model: BaseModelInfo | None


def _build_info(b: Build) -> BuildInfo:
    """A build row as written (not as seen through one of its runs)."""
    return BuildInfo(
        id=b.id,
        name=b.name,
        base_model=b.base_model_id,
        precision=b.precision,
        hardware_id=b.hardware_id,
        checkpoint=b.checkpoint,
        vendor=b.vendor,
        architecture=b.architecture,
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


def run_parts(store: Store, run_id: str) -> RunParts | None:
    """The run `run_id` with its build, hardware, base model and results; None if absent.

    The build is stated on the run's hardware: a run measures the build on the box it ran on,
    as the store's views show it (reads._as_of_run)."""
    with Session(store.engine) as s:
        r = s.get(RunRow, run_id)
        if r is None:
            return None
        build_row = s.get(Build, r.build_id)
        hw_row = s.get(Hardware, r.hardware_id)
        if build_row is None or hw_row is None:  # foreign keys make this unreachable
            return None
        base_row = s.get(BaseModelRow, build_row.base_model_id)
        results = [
            bench_record(x)
            for x in s.scalars(
                select(BenchResult).where(BenchResult.run_id == run_id).order_by(BenchResult.id)
            )
        ]
        build = _build_info(build_row)
        if build.hardware_id != r.hardware_id:
            build = dataclasses.replace(build, hardware_id=r.hardware_id)
        return RunParts(
            hardware=HardwareInfo(hw_row.id, hw_row.name, hw_row.memory_gb),
            build=build,
            run=run_info(r),
            results=results,
            base_model=base_model_info(base_row) if base_row else None,
        )
