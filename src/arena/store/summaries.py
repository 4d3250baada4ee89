"""Results as a ranking needs them: headlines, flags, energy and the rate sweep's capacity,
without each bench's raw rows and distribution (most of the bytes of a 10,000-build board)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from arena.records import BenchRecord, Energy, Provenance
from arena.store.schema import BenchResult
from arena.verdicts import Flag

SUMMARY_PARTS = ("capacity", "steps")  # distribution keys a ranking reads (a rate sweep's)

_COLUMNS = (
    BenchResult.run_id,
    BenchResult.bench_id,
    BenchResult.tps_per_user,
    BenchResult.tps_total,
    BenchResult.ttft_p50_ms,
    BenchResult.ttft_p95_ms,
    BenchResult.ttft_mean_ms,
    BenchResult.std,
    BenchResult.completed,
    BenchResult.failed,
    BenchResult.flags,
    BenchResult.tool,
    BenchResult.tool_version,
    BenchResult.source_file,
    BenchResult.command,
    BenchResult.measured_at,
    BenchResult.energy,
    *(BenchResult.distribution[k].label(f"part_{k}") for k in SUMMARY_PARTS),
)


def summary_results(
    s: Session, builds: Collection[str] | Select[Any]
) -> dict[str, dict[str, BenchRecord]]:
    """Every result of these builds (ids, or a query of ids) by run id and bench id, with
    `rows` empty and `distribution` holding only SUMMARY_PARTS; one query."""
    by_run: dict[str, dict[str, BenchRecord]] = {}
    query = select(*_COLUMNS).where(BenchResult.build_id.in_(builds))
    for r in s.execute(query):
        parts = {k: v for k in SUMMARY_PARTS if (v := getattr(r, f"part_{k}")) is not None}
        by_run.setdefault(r.run_id, {})[r.bench_id] = result_record(r, [], parts, [])
    return by_run


def result_record(
    r: Any, rows: list[dict[str, Any]], distribution: dict[str, Any], notes: list[str]
) -> BenchRecord:
    """A stored result (an ORM row or a selected row with the same column names) as a record."""
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
        rows=rows,
        distribution=distribution,
        completed=r.completed,
        failed=r.failed,
        notes=notes,
        flags=tuple(Flag(f) for f in r.flags or []),
        energy=Energy(**r.energy) if r.energy else None,
    )
