"""Hardware as a cohort on SQLite: the filter on reads, the default, the errors, the data
version and retraction in the ranking."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest

from arena.catalog import load_catalog
from arena.errors import ArenaError
from arena.records import HardwareInfo, RunInfo
from arena.service import board, detail, leaderboard_json, resolve_hardware
from arena.store import Store
from arena.store.schema import RunRow
from arena.web.data import BoardData
from tests.conftest import Outcome
from tests.unit.store.test_store import BUILD, REC

CAT = load_catalog()
BOX = HardwareInfo("box", "My box")


def _ids(lb_rows: list[dict[str, object]]) -> set[object]:
    return {r["model"] for r in lb_rows}


def test_the_default_hardware_has_the_most_builds_and_ties_go_to_id_order() -> None:
    assert resolve_hardware({"a": 2, "b": 5, "c": 5}, None) == "b"
    assert resolve_hardware({}, None) is None
    assert resolve_hardware({"a": 1}, "a") == "a"
    with pytest.raises(ArenaError, match=r"unknown hardware 'z'.*expected one of: a, b"):
        resolve_hardware({"b": 1, "a": 1}, "z")


def test_builds_filter_by_the_hardware_of_their_runs(store: Store) -> None:
    spark = len(store.builds("v2"))
    store.put_build(BUILD, BOX, [REC], run=RunInfo("box-run", "v2", "box", date="2026-09-01"))
    assert store.hardware_sizes()["v2"] == {"dgx-spark": spark, "box": 1}
    assert [v.build.id for v in store.builds("v2", "box")] == ["my-build"]
    assert "my-build" not in {v.build.id for v in store.builds("v2", "dgx-spark")}
    lb = leaderboard_json(board(store, CAT, "chat", suite="v2"))
    assert lb["hardware"] == {"id": "dgx-spark", "name": "DGX Spark · GB10 · 128 GB unified"}
    assert "my-build" not in _ids(lb["rows"])  # type: ignore[arg-type]
    mine = leaderboard_json(board(store, CAT, "chat", suite="v2", hardware="box"))
    assert _ids(mine["rows"]) == {"my-build"}  # type: ignore[arg-type]
    suite = next(s for s in mine["suites"] if s["id"] == "v2")
    assert [h["id"] for h in suite["hardware"]] == ["dgx-spark", "box"]
    with pytest.raises(ArenaError, match="expected one of: box, dgx-spark"):
        board(store, CAT, suite="v2", hardware="nope")


def test_a_build_on_two_hardware_is_ranked_on_each_with_its_own_runs(store: Store) -> None:
    build = dataclasses.replace(BUILD, hardware_id="dgx-spark")
    spark = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
    store.put_build(
        build, spark, [REC], run=RunInfo("on-spark", "v2", "dgx-spark", date="2026-09-01")
    )
    fast = dataclasses.replace(REC, tps_per_user=90.0)
    store.put_build(build, BOX, [fast], run=RunInfo("on-box", "v2", "box", date="2026-09-02"))
    on_spark = store.builds("v2", "dgx-spark")
    mine = next(v for v in on_spark if v.build.id == "my-build")
    assert mine.results["chat"].tps_per_user == REC.tps_per_user
    assert {rv.run.id for rv in mine.runs} == {"on-spark", "on-box"}  # listed across hardware
    d = detail(store, CAT, "my-build", "v2", hardware="box")
    assert d is not None
    assert d["hardware"]["id"] == "box"
    assert d["benches"]["chat"] is not None
    assert d["benches"]["chat"]["tps_per_user"] == 90.0
    assert {r["hardware_id"] for r in d["runs"]} == {"dgx-spark", "box"}
    default = detail(store, CAT, "my-build", "v2")  # the board's default hardware first
    assert default is not None
    assert default["hardware"]["id"] == "dgx-spark"


def test_every_write_raises_the_data_version_once_and_the_board_sees_it(store: Store) -> None:
    data = BoardData(store)
    before = store.data_version()
    body = json.loads(data.board_bytes("chat", "all", None, "v2", hardware=None))
    assert "my-build" not in _ids(body["rows"])
    build = dataclasses.replace(BUILD, hardware_id="dgx-spark")
    spark = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
    run = RunInfo("seen-run", "v2", "dgx-spark", date="2026-09-01")
    assert store.put_build(build, spark, [REC], run=run) is True
    assert store.data_version() == before + 1
    body = json.loads(data.board_bytes("chat", "all", None, "v2"))
    assert "my-build" in _ids(body["rows"])
    store.put_build(build, spark, [REC], run=run)  # stored already: nothing written
    assert store.data_version() == before + 1
    with store.session() as s:  # a read-only transaction
        s.get(RunRow, "seen-run")
    assert store.data_version() == before + 1
    with store.session() as s:
        row = s.get(RunRow, "seen-run")
        assert row is not None
        row.retracted_at, row.retract_reason = "2026-09-02T00:00:00Z", "wrong model file"
    assert store.data_version() == before + 2
    body = json.loads(data.board_bytes("chat", "all", None, "v2"))
    assert "my-build" not in _ids(body["rows"])  # its only run is retracted
    d = detail(store, CAT, "my-build", "v2")
    assert d is not None
    assert d["runs"][0]["retracted"] == {"at": "2026-09-02T00:00:00Z", "reason": "wrong model file"}


def test_cli_hardware_option_and_one_line_error(
    store: Store, seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    store.put_build(BUILD, BOX, [REC], run=RunInfo("box-run", "v2", "box", date="2026-09-01"))
    out = arena_main("leaderboard", "--format", "json", "--hardware", "box", "--db", seeded_db)
    assert out.code == 0
    data = json.loads(out.stdout)
    assert data["hardware"] == {"id": "box", "name": "My box"}
    assert [r["model"] for r in data["rows"]] == ["my-build"]
    bad = arena_main("leaderboard", "--hardware", "nope", "--db", seeded_db)
    assert bad.code == 1
    assert bad.stderr.strip().splitlines() == [
        "error: unknown hardware 'nope' for this suite; expected one of: box, dgx-spark"
    ]
    shown = arena_main("show", "my-build", "--hardware", "box", "--db", seeded_db)
    assert shown.code == 0
    assert "box-run" in shown.stdout
    assert "Host" not in shown.stdout  # local runs on one hardware: the runs table as before


def test_the_text_board_names_the_other_hardware_with_data(
    store: Store, seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    alone = arena_main("leaderboard", "--format", "md", "--db", seeded_db)
    assert "--hardware ID" not in alone.stdout  # one hardware: nothing to switch to
    store.put_build(BUILD, BOX, [REC], run=RunInfo("box-run", "v2", "box", date="2026-09-01"))
    out = arena_main("leaderboard", "--format", "md", "--db", seeded_db)
    assert "_Hardware dgx-spark; others with data: box (1 build) (--hardware ID)_" in out.stdout
