"""Fifty boxes submit overlapping runs to one board at once, some twice, one killed with SIGKILL
mid-upload and started again: afterwards every run is on the board once, with its numbers."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from arena.records import BuildRun
from arena.store import Store
from arena.store import outbox as box
from tests.integration.test_submit_board import (
    assert_numbers_match,
    delivered,
    on_board,
    statuses,
)
from tests.servers.board import (
    Board,
    Box,
    fresh_database,
    make_box,
    popen_submit,
    relabel,
    submit,
    v2_runs,
    wait_gone,
)

pytestmark = pytest.mark.slow

HOSTS = 50
SHARED = 10  # the first ten v2 runs, the same run (id and content) on every box that holds it
OWN = 6  # runs only this box measured
TWINS = range(5)  # a second process on a copy of the same store, started alongside
TWICE = range(5, 8)  # submit again after the first finished: nothing is left to send
KILLED = HOSTS - 1  # holds every run of its own, killed after three acknowledgements
PARALLEL = 6  # submitters running at once (2 cores: staggered, not all fifty together)


@pytest.fixture
def board(pg_url: str, tmp_path: Path) -> Iterator[Board]:
    b = Board(fresh_database(pg_url), tmp_path, rate_per_min=None)  # the board's own rate limit
    try:
        yield b
    finally:
        b.kill()


def _host_runs(h: int, runs: list[BuildRun]) -> list[BuildRun]:
    shared = [relabel(runs[s], "shared") for s in range(SHARED) if (h + s) % 3 == 0]
    own_ix = range(len(runs) - SHARED) if h == KILLED else range(OWN)
    own = [
        relabel(runs[SHARED + (7 * h + 3 * k) % (len(runs) - SHARED)], f"h{h:02d}") for k in own_ix
    ]
    return own + shared


def test_fifty_boxes_one_killed_every_run_once(
    board: Board, seeded_template: Path, tmp_path: Path
) -> None:
    ds, runs = v2_runs()
    boxes: dict[int, Box] = {}
    held: dict[int, list[BuildRun]] = {}
    for h in range(HOSTS):
        host = f"h{h:02d}"
        held[h] = _host_runs(h, runs)
        boxes[h] = make_box(
            seeded_template, tmp_path / host / "a.db", host, board.token(host), held[h], ds
        )
    twins = {}
    for h in TWINS:
        copy = tmp_path / f"h{h:02d}-twin" / "a.db"
        copy.parent.mkdir()
        copy.write_bytes(boxes[h].db.read_bytes())
        twins[h] = Box(boxes[h].host, boxes[h].token, copy)
    sources = {br.run.id: br for rs in held.values() for br in rs}
    board.start()
    t0 = time.monotonic()

    killed = popen_submit(boxes[KILLED], board.url, tmp_path)

    def kill_after_three() -> None:
        assert killed.stdout is not None
        acks = 0
        for line in killed.stdout:
            acks += line.startswith(("created", "exists"))
            if acks == 3:
                killed.send_signal(signal.SIGKILL)
                break

    watcher = threading.Thread(target=kill_after_three)
    watcher.start()

    def job(b: Box, times: int) -> list[subprocess.CompletedProcess[str]]:
        return [submit(b, board.url, tmp_path) for _ in range(times)]

    jobs: list[tuple[str, Box, int]] = []
    for h in range(HOSTS - 1):
        jobs.append((f"h{h:02d}", boxes[h], 2 if h in TWICE else 1))
        if h in twins:
            jobs.append((f"h{h:02d}-twin", twins[h], 1))
    with ThreadPoolExecutor(PARALLEL) as pool:
        done = dict(
            zip([j[0] for j in jobs], pool.map(lambda j: job(j[1], j[2]), jobs), strict=True)
        )
    watcher.join(600)
    code, _, _ = wait_gone(killed)
    assert code == -signal.SIGKILL, "the killed submitter finished before it was killed"

    for name, results in done.items():
        for r in results:
            assert r.returncode == 0, f"{name}: {r.stdout}{r.stderr}"
    for h in TWICE:
        assert "nothing to send" in done[f"h{h:02d}"][1].stdout
    for h in range(HOSTS - 1):
        sent = statuses(done[f"h{h:02d}"][0].stdout)
        assert set(sent) == {br.run.id for br in held[h]}
        assert set(sent.values()) <= {"created", "exists"}

    left = _pending(boxes[KILLED], board.url)
    assert left, "the killed submitter had nothing left to send"
    again = submit(boxes[KILLED], board.url, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert set(statuses(again.stdout)) == set(left)
    assert set(statuses(again.stdout).values()) <= {"created", "exists"}
    wall = time.monotonic() - t0

    stored = on_board(board)
    assert set(stored) == set(sources)  # every run once (ids are the key), nothing else sent
    for h in range(HOSTS):
        mine = {br.run.id for br in held[h]}
        assert delivered(boxes[h], board.url) == {r: r for r in mine}
        for run_id in mine - {r for r in mine if r.startswith("shared-")}:
            assert stored[run_id] == f"h{h:02d}"
    for run_id in (r for r in stored if r.startswith("shared-")):
        assert stored[run_id] in {
            f"h{h:02d}" for h in range(HOSTS) if any(br.run.id == run_id for br in held[h])
        }
    assert_numbers_match(board, sources)
    n_proc = len(jobs) + len(TWICE) + 2
    print(
        f"\n{n_proc} submit processes, {len(sources)} distinct runs, "
        f"{sum(len(v) for v in held.values()) + sum(len(held[h]) for h in TWINS)} sent: "
        f"{wall:.1f} s wall (board started to last submit done; time.monotonic in this test)"
    )


def _pending(b: Box, target: str) -> list[str]:
    store = Store.open(str(b.db))
    try:
        return [e.run_id for e in box.pending(store, target)]
    finally:
        store.close()
