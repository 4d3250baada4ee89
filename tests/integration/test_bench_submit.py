"""`arena bench --submit`: the run is stored first, then sent; a board that cannot take it never
changes the bench's result or exit code, and the run waits in the outbox for `arena submit`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from arena.store import Store, outbox
from arena.store.outbox import run_parts
from tests.integration.test_submit_board import delivered, on_board
from tests.servers.board import Board, Box, fresh_database, submit
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    ArenaCli,
    arena_cli_fixture,
    ref_server_fixture,
    template_db_fixture,
)
from tests.servers.reference import ReferenceServer


@pytest.fixture
def board(pg_url: str, tmp_path: Path) -> Iterator[Board]:
    b = Board(fresh_database(pg_url), tmp_path)
    try:
        yield b
    finally:
        b.kill()


def _local_runs(db: Path) -> list[str]:
    """Runs this box measured (not the bundled datasets'), not yet on any board."""
    store = Store.open(str(db))
    try:
        return outbox.undelivered_runs(store, "http://nowhere")
    finally:
        store.close()


def test_a_finished_run_goes_to_the_board(
    ref_server: ReferenceServer, arena_cli: ArenaCli, board: Board
) -> None:
    token = board.token("bench-box")
    board.start()
    res = arena_cli.bench(
        ref_server.base_url, "--benches", "chat", "--submit", board.url, "--token", token
    )
    assert res.returncode == 0, res.stderr
    (run_id,) = _local_runs(arena_cli.db)
    assert f"submit: created  {run_id}" in res.stderr
    assert on_board(board) == {run_id: "bench-box"}
    store, local = Store.open(board.db_url), Store.open(str(arena_cli.db))
    try:
        there, here = run_parts(store, run_id), run_parts(local, run_id)
    finally:
        store.close()
        local.close()
    assert there is not None
    assert here is not None
    assert there.results == here.results


def test_a_board_that_is_down_leaves_the_bench_alone(
    ref_server: ReferenceServer, arena_cli: ArenaCli, board: Board, tmp_path: Path
) -> None:
    token = board.token("bench-box")  # the board is not started: nothing listens on its port
    res = arena_cli.bench(
        ref_server.base_url, "--benches", "chat", "--submit", board.url, "--token", token
    )
    assert res.returncode == 0, res.stderr
    (run_id,) = _local_runs(arena_cli.db)
    assert f"submit: run {run_id} was not delivered (board unreachable" in res.stderr
    assert f"it waits in the outbox: arena submit --to {board.url} delivers it" in res.stderr
    assert arena_cli.show()["benches"]["chat"]["tps_per_user"] is not None
    board.start()
    later = submit(Box("bench-box", token, arena_cli.db), board.url, tmp_path)
    assert later.returncode == 0, later.stdout + later.stderr
    assert f"created  {run_id}" in later.stdout
    assert delivered(Box("bench-box", token, arena_cli.db), board.url) == {run_id: run_id}


def test_submit_without_a_token_is_refused_before_measuring(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    arena_cli.env.pop("ARENA_TOKEN", None)
    res = arena_cli.bench(ref_server.base_url, "--submit", "http://127.0.0.1:9")
    assert res.returncode == 1
    assert "--token: missing" in res.stderr
    assert ref_server.stats.requests == 0
