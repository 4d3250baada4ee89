"""The outbox: local runs owed to a board (by target URL), kept until the board has them, and
each run read back with everything a board needs to store it too."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.errors import ArenaError
from arena.records import BaseModelInfo, BenchRecord, BuildInfo, HardwareInfo, RunInfo
from arena.store.reads import base_model_info, bench_record, build_info, run_info
from arena.store.repo import Store
from arena.store.schema import BaseModelRow, BenchResult, Build, Hardware, OutboxRow, RunRow

BUNDLED_ORIGIN = "dataset:"  # runs loaded from a dataset file carry origin "dataset:NAME"


@dataclass(frozen=True)
class OutboxEntry:
    """One run owed to one board: how often it was tried and what the last try said."""

    run_id: str
    target: str
    created_at: str
    attempts: int
    last_attempt_at: str | None
    last_error: str | None
    delivered_at: str | None
    board_run_id: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _entry(r: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        r.run_id,
        r.target,
        r.created_at,
        r.attempts or 0,
        r.last_attempt_at,
        r.last_error,
        r.delivered_at,
        r.board_run_id,
    )


def enqueue(store: Store, target: str, run_ids: Iterable[str]) -> list[str]:
    """Owe these runs to `target`; a run queued (or delivered) there already is left as it is, so
    a delivered run is never sent again. Returns the ids newly queued."""
    added: list[str] = []
    with store.session() as s:
        for run_id in run_ids:
            if s.get(RunRow, run_id) is None:
                raise ArenaError(f"run '{run_id}' is not in the local database")
            if s.get(OutboxRow, (run_id, target)) is None:
                s.add(OutboxRow(run_id=run_id, target=target, created_at=_now(), attempts=0))
                added.append(run_id)
    return added


def pending(store: Store, target: str, run_ids: Iterable[str] | None = None) -> list[OutboxEntry]:
    """Runs queued for `target` and not yet delivered (only `run_ids` when given): the least
    tried first, then the oldest, so one run the board keeps failing on does not block the rest."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.target == target, OutboxRow.delivered_at.is_(None))
        .order_by(OutboxRow.attempts, OutboxRow.created_at, OutboxRow.run_id)
    )
    if run_ids is not None:
        query = query.where(OutboxRow.run_id.in_(list(run_ids)))
    with Session(store.engine) as s:
        return [_entry(r) for r in s.scalars(query)]


def entries(store: Store, target: str) -> list[OutboxEntry]:
    """Every run queued for `target`, delivered or not, oldest first."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.target == target)
        .order_by(OutboxRow.created_at, OutboxRow.run_id)
    )
    with Session(store.engine) as s:
        return [_entry(r) for r in s.scalars(query)]


def mark_attempt(store: Store, run_id: str, target: str, error: str, tries: int = 1) -> None:
    """`tries` more requests for a run that did not arrive, and why (the last answer)."""
    with store.session() as s:
        row = _row(s, run_id, target)
        row.attempts = (row.attempts or 0) + tries
        row.last_attempt_at = _now()
        row.last_error = error


def mark_delivered(
    store: Store, run_id: str, target: str, board_run_id: str, tries: int = 1
) -> None:
    """The board acknowledged the run (2xx: it is committed there) under `board_run_id`."""
    with store.session() as s:
        row = _row(s, run_id, target)
        row.attempts = (row.attempts or 0) + tries
        row.last_attempt_at = row.delivered_at = _now()
        row.last_error = None
        row.board_run_id = board_run_id


def undelivered_runs(store: Store, target: str, include_bundled: bool = False) -> list[str]:
    """Ids of local runs with a result that `target` has not acknowledged, oldest first (a run
    that measured nothing, e.g. stopped before its first bench, has nothing to show); runs of a
    bundled dataset (someone else's measurements) only with `include_bundled`."""
    delivered = select(OutboxRow.run_id).where(
        OutboxRow.target == target, OutboxRow.delivered_at.is_not(None)
    )
    query = (
        select(RunRow.id)
        .where(RunRow.id.not_in(delivered), RunRow.id.in_(select(BenchResult.run_id)))
        .order_by(RunRow.recorded_at, RunRow.id)
    )
    if not include_bundled:
        query = query.where(RunRow.origin.not_like(BUNDLED_ORIGIN + "%"))
    with Session(store.engine) as s:
        return list(s.scalars(query))


def run_origin(store: Store, run_id: str) -> str | None:
    """Where a local run came from ("user", "dataset:NAME", ...), None when it is not stored."""
    with Session(store.engine) as s:
        row = s.get(RunRow, run_id)
        return row.origin if row else None


def _row(s: Session, run_id: str, target: str) -> OutboxRow:
    row = s.get(OutboxRow, (run_id, target))
    if row is None:
        raise ArenaError(f"run '{run_id}' is not queued for {target}")
    return row


# ---- a run as what the board takes ----------------------------------------------------------
@dataclass(frozen=True)
class RunParts:
    """The rows of one run as records (the dataset layer makes a bundle of them)."""

    hardware: HardwareInfo
    build: BuildInfo
    run: RunInfo
    results: list[BenchRecord]
    base_model: BaseModelInfo | None


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
        build = build_info(build_row)
        if build.hardware_id != r.hardware_id:
            build = dataclasses.replace(build, hardware_id=r.hardware_id)
        return RunParts(
            hardware=HardwareInfo(hw_row.id, hw_row.name, hw_row.memory_gb),
            build=build,
            run=run_info(r),
            results=results,
            base_model=base_model_info(base_row) if base_row else None,
        )
