"""The read side of a board on a real PostgreSQL: two "workers" (two Store objects), the data
version, retraction and the trust signals."""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import create_engine, text

from arena.catalog import load_catalog
from arena.dataset import open_store
from arena.records import HardwareInfo, RunInfo
from arena.service import detail
from arena.store import Store
from arena.store.schema import RunRow
from arena.web.data import BoardData
from tests.unit.store.test_store import BUILD, REC

SPARK = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
MINE = dataclasses.replace(BUILD, hardware_id="dgx-spark")


def _fresh(pg_url: str, name: str) -> str:
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"drop database if exists {name}"))
        conn.execute(text(f"create database {name}"))
    engine.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def _models(body: bytes) -> list[str]:
    return [r["model"] for r in json.loads(body)["rows"]]


def _mark(store: Store, run_id: str, **values: str) -> None:
    """Set board columns of a stored run (what a submission or a retraction writes)."""
    with store.session() as s:
        row = s.get(RunRow, run_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


def test_a_write_through_one_store_is_seen_by_the_other_at_its_next_request(
    pg_url: str,
) -> None:
    url = _fresh(pg_url, "arena_two_workers")
    writer, reader = open_store(url), open_store(url)
    data = BoardData(reader)
    before = data.board_bytes("aggregate", "all", None, "v2")
    assert "my-build" not in _models(before)
    version = reader.data_version()
    run = RunInfo("pg-new-run", "v2", "dgx-spark", date="2026-09-01")
    assert writer.put_build(MINE, SPARK, [REC], run=run) is True
    assert reader.data_version() == version + 1  # one write, one step, seen by the other
    after = data.board_bytes("aggregate", "all", None, "v2")  # the very next request
    assert "my-build" in _models(after)
    assert writer.put_build(MINE, SPARK, [REC], run=run) is False  # nothing written
    assert reader.data_version() == version + 1
    writer.close()
    reader.close()


def test_a_retracted_run_is_listed_with_its_reason_but_never_ranked(pg_url: str) -> None:
    url = _fresh(pg_url, "arena_retract")
    store = open_store(url)
    old = RunInfo("pg-old", "v2", "dgx-spark", date="2026-09-01")
    new = RunInfo("pg-new", "v2", "dgx-spark", date="2026-09-02")
    store.put_build(MINE, SPARK, [REC], run=old)
    store.put_build(MINE, SPARK, [dataclasses.replace(REC, tps_per_user=90.0)], run=new)
    data = BoardData(store)
    row = next(
        r
        for r in json.loads(data.board_bytes("chat", "all", None, "v2"))["rows"]
        if r["model"] == "my-build"
    )
    assert row["run_id"] == "pg-new"
    _mark(store, "pg-new", retracted_at="2026-09-03T10:00:00Z", retract_reason="bad driver")
    row = next(
        r
        for r in json.loads(data.board_bytes("chat", "all", None, "v2"))["rows"]
        if r["model"] == "my-build"
    )
    assert row["run_id"] == "pg-old"
    assert row["throughput_tps"] == REC.tps_per_user
    d = detail(store, load_catalog(), "my-build", "v2")
    assert d is not None
    listed = {r["id"]: r for r in d["runs"]}
    assert listed["pg-new"]["retracted"] == {
        "at": "2026-09-03T10:00:00Z",
        "reason": "bad driver",
    }
    assert listed["pg-new"]["agreement"] is None  # retracted: not compared
    assert listed["pg-old"]["retracted"] is None
    assert d["benches"]["chat"] is not None
    assert d["benches"]["chat"]["run_id"] == "pg-old"
    store.close()


def test_two_hosts_that_agree_make_a_build_reproduced(pg_url: str) -> None:
    url = _fresh(pg_url, "arena_reproduced")
    store = open_store(url)
    a = RunInfo("pg-host-a", "v2", "dgx-spark", date="2026-09-01")
    b = RunInfo("pg-host-b", "v2", "dgx-spark", date="2026-09-02")
    c = RunInfo("pg-host-c", "v2", "dgx-spark", date="2026-09-03")
    store.put_build(MINE, SPARK, [REC], run=a)
    store.put_build(MINE, SPARK, [dataclasses.replace(REC, tps_per_user=43.0)], run=b)
    _mark(store, "pg-host-a", submitted_by="box-a", submitted_at="2026-09-01T12:00:00Z")
    _mark(store, "pg-host-b", submitted_by="box-b", submitted_at="2026-09-02T12:00:00Z")
    data = BoardData(store)
    rows = json.loads(data.board_bytes("chat", "all", None, "v2"))["rows"]
    mine = next(r for r in rows if r["model"] == "my-build")
    assert (mine["reproduced"], mine["hosts"]) == (True, 2)
    store.put_build(MINE, SPARK, [dataclasses.replace(REC, tps_per_user=20.0)], run=c)
    d = data.detail("my-build", "v2")
    assert d is not None
    agreement = {r["id"]: r["agreement"] for r in d["runs"]}
    # the newest run (local, 20 tok/s) is shown; both hosts are more than 15 % off it
    assert agreement == {"pg-host-c": "agrees", "pg-host-b": "disagrees", "pg-host-a": "disagrees"}
    assert d["reproduced"] is True  # a and b still agree with each other
    assert {r["submitted_by"] for r in d["runs"]} == {"box-a", "box-b", None}
    store.close()
