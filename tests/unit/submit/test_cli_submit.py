"""`arena submit` refuses bad input with exit 2 before sending anything, keeps the runs in the
outbox with exit 4 when no board answers (a loopback port nobody listens on), and when it has
nothing to send says why in true counts."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from arena.cli.submit import summary
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance, RunInfo
from arena.store import Store
from arena.store import outbox as box
from arena.submit import RunOutcome, Status, SubmitReport, Verdict
from tests.conftest import Outcome

HW = HardwareInfo("box-1", "Box one")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when this returns: connections refused


def _one_run(db: str) -> str:
    store = Store.open(db)
    try:
        run = RunInfo("bmine01", "v2", HW.id, date="2026-11-01T00:00:00+00:00")
        rec = BenchRecord("chat", 12.5, None, None, None, None, None, Provenance("arena"))
        store.put_build(BuildInfo("mine-q4", "Mine", "org/mine", "q4_k_m", HW.id), HW, [rec], run)
    finally:
        store.close()
    return run.id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "board:8000", "--token", "t"], "--to 'board:8000': expected the board's"),
        (["--to", "http://b:1", "--token", " "], "--token: missing"),
        (["--to", "http://b:1", "--token", "t", "--timeout", "0"], "--timeout 0: expected"),
        (["--to", "http://b:1", "--token", "t", "--retries", "-1"], "--retries -1: expected"),
        (["--to", "http://b:1", "--token", "t", "--run", "nope"], "--run 'nope': no such run"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    arena_main: Callable[..., Outcome],
    seeded_db: str,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("ARENA_TOKEN", raising=False)
    out = arena_main("submit", *args, "--db", seeded_db)
    assert out.code == 2
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_bundled_run_needs_include_bundled(
    arena_main: Callable[..., Outcome], seeded_db: str
) -> None:
    store = Store.open(seeded_db)
    bundled = box.undelivered_runs(store, "http://b:1", include_bundled=True)[0]
    store.close()
    out = arena_main(
        "submit", "--to", "http://b:1", "--token", "t", "--run", bundled, "--db", seeded_db
    )
    assert out.code == 2
    assert "--include-bundled" in out.stderr


def test_no_board_means_exit_4_and_the_run_waits(
    arena_main: Callable[..., Outcome], seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _one_run(seeded_db)
    target = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("ARENA_TOKEN", "from-env")
    out = arena_main("submit", "--to", target + "/", "--retries", "1", "--db", seeded_db)
    assert out.code == 4, out
    assert f"waiting  {run_id}: board unreachable" in out.stdout
    assert "after 2 tries" in out.stdout
    assert f"arena submit --to {target}` delivers" in out.stdout
    store = Store.open(seeded_db)
    try:
        (entry,) = box.pending(store, target)
    finally:
        store.close()
    assert entry.run_id == run_id
    assert entry.attempts == 2
    assert entry.delivered_at is None
    assert (entry.last_error or "").startswith("board unreachable")


def test_bundled_runs_stay_home_and_nothing_is_claimed_delivered(
    arena_main: Callable[..., Outcome], seeded_db: str
) -> None:
    target = f"http://127.0.0.1:{_closed_port()}"
    store = Store.open(seeded_db)
    try:
        bundled = box.undelivered_runs(store, target, include_bundled=True)
        box.enqueue(store, target, bundled[:1])  # one sent earlier with --include-bundled
        box.mark_delivered(store, bundled[0], target, bundled[0])
    finally:
        store.close()
    out = arena_main("submit", "--to", target, "--token", "t", "--db", seeded_db)
    assert out.code == 0, out
    assert out.stdout.strip() == (
        f"nothing to send: {len(bundled) - 1} run(s) of bundled datasets stay home "
        f"(--include-bundled sends them); 1 already delivered to {target} "
        "(exit 0: nothing failed)"
    )
    assert "every local run is delivered" not in out.stdout


def test_a_run_delivered_earlier_says_when_and_under_which_id(
    arena_main: Callable[..., Outcome], seeded_db: str
) -> None:
    run_id = _one_run(seeded_db)
    target = f"http://127.0.0.1:{_closed_port()}"
    store = Store.open(seeded_db)
    try:
        box.enqueue(store, target, [run_id])
        box.mark_delivered(store, run_id, target, "board-run-7")
        (entry,) = box.entries(store, target)
    finally:
        store.close()
    out = arena_main("submit", "--to", target, "--token", "t", "--run", run_id, "--db", seeded_db)
    assert out.code == 0, out
    assert out.stdout.strip() == (
        f"nothing to send: run {run_id} was delivered to {target} already, "
        f"at {entry.delivered_at}, as board-run-7 on the board (exit 0: nothing failed)"
    )


def test_after_a_401_the_advice_is_a_new_token() -> None:
    outcomes = [
        RunOutcome("r1", Status.WAITING, reason="HTTP 401: unknown token"),
        RunOutcome("r2", Status.WAITING, reason="not sent: the board refused the token"),
    ]
    line = summary(SubmitReport("http://board:8000", outcomes, Verdict.UNAUTHORIZED))
    assert "the board refused the token (401): get a new one" in line
    assert "`arena token add HOST` on the board" in line
    assert "then `arena submit --to http://board:8000` with it" in line
    waiting = summary(SubmitReport("http://board:8000", outcomes[:1], Verdict.RETRY))
    assert "token" not in waiting
    assert waiting.endswith("`arena submit --to http://board:8000` delivers the waiting ones")
