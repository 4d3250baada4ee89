"""The outbox on a real SQLite store: what is queued, tried, delivered, and never sent twice."""

from __future__ import annotations

import pytest

from arena.errors import ArenaError
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance, RunInfo
from arena.store import Store
from arena.store import outbox as box

A, B = "http://board-a:8000", "http://board-b:8000"
HW = HardwareInfo("box-1", "Box one")


def _mine(store: Store, n: int) -> list[str]:
    """`n` runs measured on this box (origin "user"), as `arena bench` stores them."""
    build = BuildInfo("mine-q4", "Mine Q4", "org/mine", "q4_k_m", HW.id)
    ids = []
    for i in range(n):
        run = RunInfo(f"bmine{i:02d}", "v2", HW.id, date=f"2026-11-0{i + 1}T00:00:00+00:00")
        rec = BenchRecord("chat", 10.0 + i, None, None, None, None, None, Provenance("arena"))
        store.put_build(build, HW, [rec], run=run)
        ids.append(run.id)
    return ids


def test_own_runs_are_owed_the_bundled_ones_only_when_asked(store: Store) -> None:
    mine = _mine(store, 3)
    empty = RunInfo("bempty", "v2", HW.id)  # stopped before its first bench finished
    store.put_build(BuildInfo("mine-q4", "Mine Q4", "org/mine", "q4_k_m", HW.id), HW, [], empty)
    assert "bempty" in store.run_ids()
    assert box.undelivered_runs(store, A) == mine  # oldest stored first, the empty run left out
    everything = box.undelivered_runs(store, A, include_bundled=True)
    assert set(mine) < set(everything)
    bundled = set(everything) - set(mine)
    assert bundled
    assert all((box.run_origin(store, r) or "").startswith("dataset:") for r in bundled)


def test_a_delivered_run_is_neither_pending_nor_queued_again(store: Store) -> None:
    r1, r2, r3 = _mine(store, 3)
    assert box.enqueue(store, A, [r1, r2, r3]) == [r1, r2, r3]
    assert box.enqueue(store, A, [r1, r2]) == []  # queued already: left alone
    box.mark_delivered(store, r1, A, "board-id-1")
    box.mark_attempt(store, r2, A, "HTTP 503: busy", tries=3)
    assert [e.run_id for e in box.pending(store, A)] == [r3, r2]  # the least tried first
    assert box.undelivered_runs(store, A) == [r2, r3]
    assert box.enqueue(store, A, [r1]) == []
    done = {e.run_id: e for e in box.entries(store, A)}
    assert done[r1].delivered_at is not None
    assert done[r1].board_run_id == "board-id-1"
    assert done[r1].last_error is None
    assert done[r1].attempts == 1
    assert done[r2].attempts == 3
    assert done[r2].last_error == "HTTP 503: busy"
    assert done[r2].delivered_at is None
    assert done[r2].last_attempt_at is not None


def test_each_board_has_its_own_queue(store: Store) -> None:
    (r1,) = _mine(store, 1)
    box.enqueue(store, A, [r1])
    box.mark_delivered(store, r1, A, r1)
    assert box.undelivered_runs(store, B) == [r1]
    assert box.pending(store, B) == []
    box.enqueue(store, B, [r1])
    assert [e.target for e in box.pending(store, B)] == [B]
    assert box.pending(store, A) == []


def test_pending_can_be_narrowed_to_some_runs(store: Store) -> None:
    r1, r2 = _mine(store, 2)
    box.enqueue(store, A, [r1, r2])
    assert [e.run_id for e in box.pending(store, A, [r2])] == [r2]


def test_unknown_runs_are_refused_by_name(store: Store) -> None:
    with pytest.raises(ArenaError, match="run 'nope' is not in the local database"):
        box.enqueue(store, A, ["nope"])
    (r1,) = _mine(store, 1)
    with pytest.raises(ArenaError, match=f"run '{r1}' is not queued for {B}"):
        box.mark_delivered(store, r1, B, r1)
