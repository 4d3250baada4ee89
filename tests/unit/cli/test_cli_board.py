"""`arena token ...` and `arena runs ...` through the console entry point on a SQLite board."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from arena.cli import common
from arena.store import Store
from arena.store.board import put_submitted, retract, submitted_runs, verify
from tests.conftest import Outcome
from tests.unit.store.test_board import bundle, changed


def test_token_add_prints_the_token_once_as_the_last_line(
    arena_main: Callable[..., Outcome], seeded_db: str
) -> None:
    out = arena_main("token", "add", "spark-01", "--db", seeded_db)
    assert out.code == 0, out.stderr
    token = out.stdout.splitlines()[-1]
    assert "shown once" in out.stderr
    store = Store.open(seeded_db)
    assert verify(store, token) == "spark-01"
    listed = arena_main("token", "list", "--db", seeded_db)
    assert "spark-01" in listed.stdout
    assert token not in listed.stdout
    revoked = arena_main("token", "revoke", "spark-01", "--db", seeded_db)
    assert revoked.code == 0
    assert verify(store, token) is None
    unknown = arena_main("token", "revoke", "nope", "--db", seeded_db)
    assert unknown.code == 1
    assert unknown.stderr.count("\n") == 1
    assert "host 'nope': no token" in unknown.stderr
    bad = arena_main("token", "add", "a b", "--db", seeded_db)
    assert bad.code == 1
    assert "host 'a b'" in bad.stderr
    store.close()


def test_token_add_says_a_token_stopped_working_only_when_one_did(
    arena_main: Callable[..., Outcome], seeded_db: str
) -> None:
    new = arena_main("token", "add", "spark-02", "--db", seeded_db)
    assert new.code == 0, new.stderr
    assert "no longer works" not in new.stderr
    assert "replaces" not in new.stderr
    again = arena_main("token", "add", "spark-02", "--db", seeded_db)
    assert "the token of 'spark-02' made " in again.stderr
    assert "no longer works" in again.stderr
    assert arena_main("token", "revoke", "spark-02", "--db", seeded_db).code == 0
    after_revoke = arena_main("token", "add", "spark-02", "--db", seeded_db)
    assert "replaces the token of 'spark-02' revoked " in after_revoke.stderr
    assert "no longer works" not in after_revoke.stderr


def test_runs_retract_and_list(
    arena_main: Callable[..., Outcome], seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.console, "width", 160)  # whole words to look for
    store = Store.open(seeded_db)
    assert put_submitted(store, changed(bundle("box-run-1", 3)), "spark-01")[1] == "created"
    store.close()
    out = arena_main("runs", "retract", "box-run-1", "--reason", "throttled", "--db", seeded_db)
    assert out.code == 0, out.stderr
    assert "retracted run 'box-run-1'" in out.stdout
    again = arena_main("runs", "retract", "box-run-1", "--reason", "other", "--db", seeded_db)
    assert again.code == 0
    assert "already retracted" in again.stderr
    assert "throttled" in again.stderr
    unknown = arena_main("runs", "retract", "nope", "--reason", "x", "--db", seeded_db)
    assert unknown.code == 1
    assert "run 'nope' is not in the store" in unknown.stderr
    build = bundle("box-run-1", 3).build.id
    listed = arena_main("runs", "list", "--build", build, "--db", seeded_db)
    assert listed.code == 0
    assert "box-run-1" in listed.stdout
    assert "spark-01" in listed.stdout
    assert "throttled" in listed.stdout
    assert "local" in listed.stdout  # the bundled runs of the same build


@pytest.mark.parametrize("width", [40, 80, 200])
def test_runs_list_never_cuts_a_run_id(
    arena_main: Callable[..., Outcome],
    seeded_db: str,
    monkeypatch: pytest.MonkeyPatch,
    width: int,
) -> None:
    store = Store.open(seeded_db)
    put_submitted(store, changed(bundle("box-run-with-a-long-id-0001", 3)), "spark-lab-01.lan")
    retract(store, "box-run-with-a-long-id-0001", "throttled under a summer heat wave")
    ids = [r.run_id for r in submitted_runs(store)]
    store.close()
    monkeypatch.setattr(common.console, "width", width)  # what Rich reads from COLUMNS
    out = arena_main("runs", "list", "--db", seeded_db)
    assert out.code == 0, out.stderr
    lines = out.stdout.splitlines()
    if width >= 80:  # narrower than the ids and headers, the terminal wraps the lines
        assert max(len(line) for line in lines) <= width
    assert "…" not in out.stdout
    firsts = [line.strip("│┃ ").split(" ")[0] for line in lines]
    assert all(run_id in firsts for run_id in ids)  # whole, at the start of its row


def test_runs_list_as_json(arena_main: Callable[..., Outcome], seeded_db: str) -> None:
    store = Store.open(seeded_db)
    put_submitted(store, changed(bundle("box-run-1", 3)), "spark-01")
    retract(store, "box-run-1", "throttled")
    store.close()
    out = arena_main("runs", "list", "--format", "json", "--db", seeded_db)
    assert out.code == 0, out.stderr
    runs = json.loads(out.stdout)
    assert set(runs[0]) == {
        "run_id",
        "build_id",
        "suite",
        "hardware_id",
        "submitted_by",
        "submitted_at",
        "retracted_at",
        "retract_reason",
        "content_hash",
    }
    (mine,) = [r for r in runs if r["run_id"] == "box-run-1"]
    assert mine["submitted_by"] == "spark-01"
    assert mine["retract_reason"] == "throttled"
    assert mine["content_hash"]
    assert len(runs) == 54  # 23 bundled runs of suite v1, 30 of v2, and this one
    none = arena_main("runs", "list", "--build", "nope", "--format", "json", "--db", seeded_db)
    assert json.loads(none.stdout) == []
