"""`arena submit` against a real board (`arena serve --writable` on a real PostgreSQL): created,
then exists; the outbox keeps runs while the board is down; a board killed mid-submission keeps
every run it acknowledged."""

from __future__ import annotations

import dataclasses
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from arena.records import BuildRun
from arena.store import Store
from arena.store import outbox as box
from arena.store.board import submitted_runs
from arena.store.outbox import run_parts
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

LINE = re.compile(r"^(created|exists|failed|waiting) +(\S+?)(?::|\s|$)", re.MULTILINE)


@pytest.fixture
def board(pg_url: str, tmp_path: Path) -> Iterator[Board]:
    b = Board(fresh_database(pg_url), tmp_path)
    try:
        yield b
    finally:
        b.kill()


def statuses(stdout: str) -> dict[str, str]:
    """Run id -> the status its line printed."""
    return {run_id: status for status, run_id in LINE.findall(stdout)}


def on_board(board: Board) -> dict[str, str | None]:
    """Run id -> who submitted it, for every run some host sent."""
    store = Store.open(board.db_url)
    try:
        return {r.run_id: r.submitted_by for r in submitted_runs(store) if r.submitted_by}
    finally:
        store.close()


def assert_numbers_match(board: Board, sources: dict[str, BuildRun]) -> None:
    """Each run on the board holds exactly the results its box measured."""
    store = Store.open(board.db_url)
    try:
        for run_id, br in sources.items():
            parts = run_parts(store, run_id)
            assert parts is not None, run_id
            key = lambda r: r.bench_id  # noqa: E731
            assert sorted(parts.results, key=key) == sorted(br.results, key=key), run_id
            assert parts.build.id == br.build_id
            assert dataclasses.replace(parts.run, origin="user") == br.run
    finally:
        store.close()


def delivered(b: Box, target: str) -> dict[str, str | None]:
    """Run id -> the board's run id, for every run this box's outbox marks delivered."""
    store = Store.open(str(b.db))
    try:
        return {e.run_id: e.board_run_id for e in box.entries(store, target) if e.delivered_at}
    finally:
        store.close()


def _box(
    board: Board, seeded_template: Path, tmp: Path, host: str, n: int
) -> tuple[Box, dict[str, BuildRun]]:
    ds, runs = v2_runs()
    mine = [relabel(br, host) for br in runs[:n]]
    b = make_box(seeded_template, tmp / f"{host}.db", host, board.token(host), mine, ds)
    return b, {br.run.id: br for br in mine}


def test_created_then_exists_from_a_second_copy(
    board: Board, seeded_template: Path, tmp_path: Path
) -> None:
    b, sources = _box(board, seeded_template, tmp_path, "lab-1", 5)
    twin = dataclasses.replace(b, db=tmp_path / "twin.db")
    shutil.copyfile(b.db, twin.db)  # the same runs on a copy that never sent them
    board.start()
    first = submit(b, board.url, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert statuses(first.stdout) == dict.fromkeys(sources, "created")
    assert f"{board.url}: 5 run(s) sent or queued: 5 created" in first.stdout
    again = submit(b, board.url, tmp_path)
    assert again.returncode == 0
    assert f"nothing to send: 0 already delivered to {board.url}" not in again.stdout
    assert f"; 5 already delivered to {board.url} (exit 0: nothing failed)" in again.stdout
    resent = submit(twin, board.url + "/", tmp_path)
    assert resent.returncode == 0, resent.stdout + resent.stderr
    assert statuses(resent.stdout) == dict.fromkeys(sources, "exists")
    assert on_board(board) == dict.fromkeys(sources, "lab-1")
    assert_numbers_match(board, sources)
    assert delivered(twin, board.url) == {r: r for r in sources}


def test_the_outbox_keeps_runs_while_the_board_is_down(
    board: Board, seeded_template: Path, tmp_path: Path
) -> None:
    b, sources = _box(board, seeded_template, tmp_path, "lab-2", 4)
    down = submit(b, board.url, tmp_path, "--retries", "1", "--timeout", "5")
    assert down.returncode == 4, down.stdout + down.stderr
    assert set(statuses(down.stdout).values()) == {"waiting"}
    assert f"`arena submit --to {board.url}` delivers" in down.stdout
    board.start()
    up = submit(b, board.url, tmp_path)
    assert up.returncode == 0, up.stdout + up.stderr
    assert statuses(up.stdout) == dict.fromkeys(sources, "created")
    assert on_board(board) == dict.fromkeys(sources, "lab-2")
    assert_numbers_match(board, sources)


def test_a_wrong_token_stops_the_submit_with_exit_5(
    board: Board, seeded_template: Path, tmp_path: Path
) -> None:
    b, sources = _box(board, seeded_template, tmp_path, "lab-3", 3)
    board.start()
    out = submit(dataclasses.replace(b, token="not-a-token"), board.url, tmp_path)
    assert out.returncode == 5, out.stdout + out.stderr
    lines = statuses(out.stdout)
    assert set(lines.values()) == {"waiting"}
    assert "HTTP 401" in out.stdout
    assert out.stdout.count("not sent: the board refused the token") == len(sources) - 1
    (last,) = [line for line in out.stdout.splitlines() if line.startswith(board.url)]
    assert last.endswith(
        "the board refused the token (401): get a new one (`arena token add HOST` on the "
        f"board), then `arena submit --to {board.url}` with it (--token or ARENA_TOKEN) "
        "delivers the waiting ones"
    )
    assert on_board(board) == {}


def test_a_board_killed_mid_submission_keeps_what_it_acknowledged(
    board: Board, seeded_template: Path, tmp_path: Path
) -> None:
    ds, runs = v2_runs()
    mine = [relabel(br, f"r{k}") for k in range(2) for br in runs]  # 60 runs
    sources = {br.run.id: br for br in mine}
    b = make_box(seeded_template, tmp_path / "lab-4.db", "lab-4", board.token("lab-4"), mine, ds)
    board.start()
    proc = popen_submit(b, board.url, tmp_path, "--retries", "8")
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:  # killed once the board has acknowledged a few runs
        seen += line.startswith("created")
        if seen == 5:
            break
    board.kill()
    time.sleep(1.0)
    board.start()
    code, rest, err = wait_gone(proc)
    assert code in (0, 4), rest + err
    acked = delivered(b, board.url)
    assert len(acked) >= 5
    stored = on_board(board)
    assert set(acked) <= set(stored)  # every 2xx the client saw is on the board after the kill
    final = submit(b, board.url, tmp_path)
    assert final.returncode == 0, final.stdout + final.stderr
    assert set(delivered(b, board.url)) == set(sources)
    assert on_board(board) == dict.fromkeys(sources, "lab-4")
    assert_numbers_match(board, sources)


def test_refused_runs_fail_alone_with_exit_1_and_keep_their_reason(
    board: Board, seeded_template: Path, tmp_path: Path
) -> None:
    ds, runs = v2_runs()
    good, taken, odd = (relabel(br, "lab-5") for br in runs[:3])
    other = BuildRun(  # the id of a run another box already sent, with other numbers
        taken.build_id,
        dataclasses.replace(taken.run, environment={"box": "elsewhere"}),
        taken.results,
    )
    unknown = BuildRun(odd.build_id, dataclasses.replace(odd.run, suite="v9"), odd.results)
    first = make_box(seeded_template, tmp_path / "a.db", "lab-5", board.token("lab-5"), [taken], ds)
    b = make_box(
        seeded_template,
        tmp_path / "b.db",
        "lab-6",
        board.token("lab-6"),
        [good, other, unknown],
        ds,
    )
    board.start()
    assert submit(first, board.url, tmp_path).returncode == 0
    out = submit(b, board.url, tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert statuses(out.stdout) == {
        good.run.id: "created",
        taken.run.id: "failed",
        odd.run.id: "failed",
    }
    assert f"failed   {taken.run.id}: HTTP 409" in out.stdout
    assert f"failed   {odd.run.id}: HTTP 422" in out.stdout
    assert "run.suite" in out.stdout
    store = Store.open(str(b.db))
    try:
        waiting = {e.run_id: e for e in box.pending(store, board.url)}
    finally:
        store.close()
    assert set(waiting) == {taken.run.id, odd.run.id}
    assert waiting[taken.run.id].attempts == 1  # refused for good: not tried again
    assert (waiting[odd.run.id].last_error or "").startswith("HTTP 422")
    assert on_board(board) == {good.run.id: "lab-6", taken.run.id: "lab-5"}


def test_over_the_size_limit_is_413_and_exit_1(
    pg_url: str, seeded_template: Path, tmp_path: Path
) -> None:
    board = Board(fresh_database(pg_url), tmp_path, 6000.0, "--max-bundle-mb", "0.001")
    try:
        b, sources = _box(board, seeded_template, tmp_path, "lab-7", 2)
        board.start()
        out = submit(b, board.url, tmp_path)
    finally:
        board.kill()
    assert out.returncode == 1, out.stdout + out.stderr
    assert set(statuses(out.stdout).values()) == {"failed"}
    assert out.stdout.count("HTTP 413") == len(sources)


def test_over_the_rate_the_client_waits_as_asked(
    pg_url: str, seeded_template: Path, tmp_path: Path
) -> None:
    board = Board(fresh_database(pg_url), tmp_path, 12.0)  # a burst of 12, then one per 5 s
    try:
        ds, runs = v2_runs()
        mine = [relabel(br, "q") for br in runs[:16]]
        b = make_box(seeded_template, tmp_path / "q.db", "lab-8", board.token("lab-8"), mine, ds)
        board.start()
        t0 = time.monotonic()
        out = submit(b, board.url, tmp_path, "--retries", "8")
        took = time.monotonic() - t0
        stored = on_board(board)
    finally:
        board.kill()
    assert out.returncode == 0, out.stdout + out.stderr
    assert set(statuses(out.stdout).values()) == {"created"}
    assert len(stored) == 16
    store = Store.open(str(b.db))
    try:
        tries = sum(e.attempts for e in box.entries(store, board.url))
    finally:
        store.close()
    assert tries > 16  # some runs met a 429 and went again
    assert took >= tries - 16  # each 429 asked for 1 s or more (Retry-After) and was waited
