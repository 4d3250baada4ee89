"""The store on a real SQLite file (the same checks on PostgreSQL are an integration test)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from arena.dataset import load_bundled, open_store
from arena.errors import ArenaError
from arena.records import (
    BenchRecord,
    BuildInfo,
    BuildRun,
    Dataset,
    Energy,
    HardwareInfo,
    Provenance,
    QualityRecord,
    RunInfo,
    Sanity,
)
from arena.store import Store, resolve_url
from arena.verdicts import Flag

REC = BenchRecord(
    bench_id="chat",
    tps_per_user=42.0,
    tps_total=400.0,
    ttft_p50_ms=None,
    ttft_p95_ms=None,
    ttft_mean_ms=120.0,
    std=1.5,
    source=Provenance("llama-benchy", "0.3.7", "run.md", "cmd", None),
    rows=[{"concurrency": 10, "tg_tps_req": 42.0}],
)
HW = HardwareInfo("box", "My box")
BUILD = BuildInfo("my-build", "My build", "org/model", "bf16", "box", params_total_b=3.0)


def test_fresh_store_is_migrated_and_seeded_with_both_suites(db_path: str) -> None:
    store = open_store(db_path)
    assert len(store.build_ids()) == 32  # 21 builds ran in both suites
    assert len(store.builds("v1")) == 23
    assert len(store.builds("v2")) == 30
    assert len(store.run_ids()) == 53
    with sqlite3.connect(db_path) as conn:
        version = conn.execute("select version_num from alembic_version").fetchone()
    assert version == ("0005",)
    assert {"dgx-spark-benchmarks-v1", "dgx-spark-benchmarks-v2"} <= set(store.datasets())


def test_reopening_does_not_seed_twice(db_path: str) -> None:
    open_store(db_path)
    store = open_store(db_path)
    with store.engine.connect() as conn:
        n = conn.execute(text("select count(*) from bench_result")).scalar_one()
    files = ("dgx_spark_v1.json", "dgx_spark_v2.json")
    assert n == sum(len(r.results) for f in files for r in load_bundled(f).runs)


def test_store_seeds_only_with_the_dataset_it_is_given(db_path: str) -> None:
    calls: list[str] = []

    def one_build() -> Dataset:
        calls.append("seed")
        run = BuildRun("my-build", RunInfo("r1", "v1", "box"), [REC])
        return Dataset("tiny", "Test data", None, None, hardware=[HW], builds=[BUILD], runs=[run])

    assert Store.open(db_path).build_ids() == []
    assert Store.open(db_path, seed={"tiny": one_build}).build_ids() == ["my-build"]
    assert Store.open(db_path, seed={"tiny": one_build}).build_ids() == ["my-build"]
    assert calls == ["seed"]
    assert "tiny" in Store.open(db_path).datasets()

    def other() -> Dataset:
        calls.append("other")
        build = dataclasses.replace(BUILD, id="other-build")
        run = BuildRun("other-build", RunInfo("r2", "v2", "box"), [REC])
        return Dataset("other", "Test", None, None, hardware=[HW], builds=[build], runs=[run])

    both = {"tiny": one_build, "other": other}
    assert Store.open(db_path, seed=both).build_ids() == ["my-build", "other-build"]
    assert calls == ["seed", "other"]  # a dataset new to this store loads on its next open


def test_put_build_is_idempotent_and_round_trips(store: Store) -> None:
    store.put_build(BUILD, HW, [REC])
    store.put_build(BUILD, HW, [REC])
    view = store.build("my-build")
    assert view is not None
    assert view.results["chat"] == REC
    assert view.hardware == HW
    assert view.origin == "user"
    with store.engine.connect() as conn:
        n = conn.execute(text("select count(*) from bench_result where build_id='my-build'"))
        assert n.scalar_one() == 1


def test_a_new_result_is_a_new_run_and_the_old_one_is_kept(store: Store) -> None:
    store.put_build(BUILD, HW, [REC])
    store.put_build(BUILD, HW, [dataclasses.replace(REC, tps_per_user=50.0)])
    view = store.build("my-build")
    assert view is not None
    assert view.results["chat"].tps_per_user == 50.0
    assert len(view.runs) == 2
    assert view.result_runs["chat"] == view.runs[0].run.id  # the newest


def test_a_failed_rerun_never_displaces_a_good_result(store: Store) -> None:
    good = RunInfo("good", "v1", "box", date="2026-01-01T00:00:00")
    failed = RunInfo("later", "v1", "box", date="2026-02-01T00:00:00")
    empty = dataclasses.replace(REC, tps_per_user=None, tps_total=None, completed=0, failed=9)
    assert store.put_build(BUILD, HW, [REC], run=good)
    assert store.put_build(BUILD, HW, [empty], run=failed)
    view = store.build("my-build", suite="v1")
    assert view is not None
    assert view.results["chat"] == REC
    assert view.result_runs == {"chat": "good"}
    assert [rv.run.id for rv in view.runs] == ["later", "good"]
    only_failed = store.build("my-build", run="later")
    assert only_failed is not None
    assert only_failed.results["chat"].tps_per_user is None


def test_a_stored_run_is_never_rewritten(store: Store) -> None:
    run = RunInfo("same", "v2", "box")
    assert store.put_build(BUILD, HW, [REC], run=run) is True
    changed = dataclasses.replace(REC, tps_per_user=1.0)
    assert store.put_build(BUILD, HW, [changed], run=run) is False
    view = store.build("my-build", suite="v2")
    assert view is not None
    assert view.results["chat"] == REC


def test_suites_never_mix(store: Store) -> None:
    store.put_build(BUILD, HW, [REC], run=RunInfo("one", "v1", "box"))
    v2 = dataclasses.replace(REC, tps_per_user=7.0)
    store.put_build(BUILD, HW, [v2], run=RunInfo("two", "v2", "box", engine_version="0.26.0"))
    assert store.suites() == ["v1", "v2"]
    one, two = store.build("my-build", suite="v1"), store.build("my-build", suite="v2")
    assert one is not None
    assert two is not None
    assert one.results["chat"] == REC
    assert two.results["chat"] == v2
    assert two.build.engine_version == "0.26.0"
    assert [v.build.id for v in store.builds("v3")] == []


def test_adding_results_to_an_unknown_run_is_an_error(store: Store) -> None:
    with pytest.raises(ArenaError, match="run 'nope' is not in the store"):
        store.add_results("nope", [REC])


def test_failed_load_leaves_nothing_half_written(store: Store) -> None:
    ds = load_bundled()
    good = dataclasses.replace(BUILD, id="first-ok")
    bad = dataclasses.replace(BUILD, id="second-bad", hardware_id="missing-hw")
    runs = [BuildRun("first-ok", RunInfo("a", "v1", "box"), [REC])]
    broken = dataclasses.replace(ds, name="x", hardware=[HW], builds=[good, bad], runs=runs)
    before = store.build_ids()
    with pytest.raises(ArenaError, match="unknown hardware 'missing-hw'"):
        store.load(broken)
    assert store.build_ids() == before


def test_quality_upsert_keyed_by_metric_and_kind(store: Store) -> None:
    q = QualityRecord("org/model", "mmlu_pro", 50.0, "https://example.org", None, "model-card")
    store.put_build(BUILD, HW, [])
    store.put_quality([q, dataclasses.replace(q, value=55.0)])
    store.put_quality([dataclasses.replace(q, kind="measured", value=48.0, build_id="my-build")])
    view = store.build("my-build")
    assert view is not None
    assert sorted((x.kind, x.value) for x in view.quality) == [
        ("measured", 48.0),
        ("model-card", 55.0),
    ]


def test_delete_build_removes_results(store: Store) -> None:
    store.put_build(BUILD, HW, [REC])
    assert store.delete_build("my-build") is True
    assert store.build("my-build") is None
    assert store.delete_build("my-build") is False


def test_resolve_url_paths_urls_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("ARENA_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).endswith("env.db")
    with pytest.raises(ArenaError, match="is a directory"):
        resolve_url(str(tmp_path))
    blocker = tmp_path / "file"
    blocker.write_text("")  # a file where the database's directory would have to be
    with pytest.raises(ArenaError, match="cannot create its directory"):
        resolve_url(str(blocker / "sub" / "a.db"))


def test_upgrade_from_0001_keeps_data(tmp_path: Path) -> None:
    """A database created at revision 0001 migrates to head with its rows intact."""
    from alembic import command

    from arena.store.db import _alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("insert into hardware (id, name) values ('hw', 'Old box')"))
    engine.dispose()
    store = Store.open(str(tmp_path / "old.db"))
    with store.engine.connect() as conn:
        assert (
            conn.execute(text("select name from hardware where id='hw'")).scalar_one() == "Old box"
        )
        cols = [r[1] for r in conn.execute(text("pragma table_info(quality_score)"))]
    assert "details" in cols
    store.close()


def test_upgrade_to_0003_turns_verdict_notes_into_flags(tmp_path: Path) -> None:
    """Results stored before flags existed get them from their verdict notes, once."""
    from alembic import command

    from arena.store.db import _alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = _alembic_config()
    notes = {
        "chat": ["suspect: sanity check failed (empty)", "unreliable: 9/40 requests failed"],
        "rag-8k": ["errors: HTTP 500", "profile: full"],
        "agent": ["the note says unreliable: but not at the start"],
    }
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("insert into hardware (id, name) values ('hw', 'Old box')"))
        conn.execute(text("insert into base_model (id) values ('m')"))
        conn.execute(
            text(
                "insert into build (id, name, base_model_id, precision, hardware_id, "
                "server_config, origin) values ('b', 'B', 'm', 'bf16', 'hw', '{}', 'user')"
            )
        )
        for bench, ns in notes.items():
            conn.execute(
                text(
                    "insert into bench_result (build_id, bench_id, rows, distribution, notes, "
                    "tool) values ('b', :bench, '[]', '{}', :notes, 'arena')"
                ),
                {"bench": bench, "notes": json.dumps(ns)},
            )
    engine.dispose()
    store = Store.open(str(tmp_path / "old.db"))
    view = store.build("b")
    assert view is not None
    assert view.results["chat"].flags == (Flag.SUSPECT, Flag.UNRELIABLE)
    assert view.results["rag-8k"].flags == ()
    assert view.results["agent"].flags == ()
    assert view.results["chat"].notes == notes["chat"]
    store.close()


def test_every_result_field_survives_the_store(store: Store) -> None:
    """A field added to BenchRecord but not to the store's columns fails here, not silently."""
    full = BenchRecord(
        bench_id="chat",
        tps_per_user=1.5,
        tps_total=2.5,
        ttft_p50_ms=3.5,
        ttft_p95_ms=4.5,
        ttft_mean_ms=5.5,
        std=0.5,
        source=Provenance("arena", "9.9", "f.json", "arena bench", "2026-12-01T00:00:00"),
        rows=[{"prompt_tokens": 1}],
        distribution={"seed": 1},
        completed=7,
        failed=1,
        notes=["a note"],
        flags=(Flag.SUSPECT, Flag.UNRELIABLE),
        energy=Energy(40.0, 55.0, 9, "01-telemetry.csv", 60.0, 90.0, "vllm duration", 300, 12.0),
    )
    default = BenchRecord("chat", None, None, None, None, None, None, Provenance("t"))
    unset = [
        f.name
        for f in dataclasses.fields(BenchRecord)
        if getattr(full, f.name) == getattr(default, f.name)
    ]
    assert unset == ["bench_id"]  # the record above sets every other field
    store.put_build(BUILD, HW, [full])
    view = store.build("my-build")
    assert view is not None
    assert view.results["chat"] == full


def test_every_run_field_survives_the_store(store: Store) -> None:
    run = RunInfo(
        id="r-full",
        suite="v2",
        hardware_id="box",
        date="2026-08-07T09:22:46+02:00",
        engine="vllm",
        engine_version="0.26.0",
        server_config={"kv_cache_dtype": "fp8"},
        tool_versions={"llama-benchy": "0.4.0"},
        environment={"driver": "580"},
        source_files={"01-chat.md": "ab"},
        source_dir="/x",
        command="arena bench",
        sanity=Sanity("ok", "1, 2, 3", None, "_sanity.txt"),
        vram_gb=10.0,
        vram_method="engine-log",
        vram_source="boot.log",
        origin="dataset:x",
    )
    unset = [f.name for f in dataclasses.fields(RunInfo) if getattr(run, f.name) is None]
    assert unset == []
    store.put_build(BUILD, HW, [REC], run=run)
    (stored,) = store.runs("my-build")
    assert stored.run == run
    assert stored.results == [REC]


def test_upgrade_to_0004_keeps_every_result_as_one_run_per_build(tmp_path: Path) -> None:
    """A database from before runs: its results, numbers and verdicts survive as v1 runs."""
    from alembic import command

    from arena.store.db import _alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(text("insert into hardware (id, name) values ('hw', 'Old box')"))
        conn.execute(text("insert into base_model (id) values ('m')"))
        for build in ("a", "b", "empty"):
            conn.execute(
                text(
                    "insert into build (id, name, base_model_id, precision, hardware_id, "
                    "server_config, origin, engine_version, run_date, vram_gb, vram_method) "
                    "values (:b, 'B', 'm', 'bf16', 'hw', '{\"x\": 1}', 'dataset:old', '0.19.1', "
                    "'2026-04-01', 12.5, 'engine-log')"
                ),
                {"b": build},
            )
        for build, bench, tps in (("a", "chat", 10.5), ("a", "rag-8k", 7.0), ("b", "chat", 3.0)):
            conn.execute(
                text(
                    "insert into bench_result (build_id, bench_id, tps_per_user, rows, "
                    "distribution, notes, flags, tool) values (:b, :bench, :tps, "
                    "'[{\"c\": 1}]', '{\"k\": 2}', '[\"n\"]', '[\"unreliable\"]', 'llama-benchy')"
                ),
                {"b": build, "bench": bench, "tps": tps},
            )
    engine.dispose()
    store = Store.open(str(tmp_path / "old.db"))
    with sqlite3.connect(tmp_path / "old.db") as conn:
        assert conn.execute("select version_num from alembic_version").fetchone() == ("0005",)
    a = store.build("a", suite="v1")
    assert a is not None
    assert {k: r.tps_per_user for k, r in a.results.items()} == {"chat": 10.5, "rag-8k": 7.0}
    chat = a.results["chat"]
    assert (chat.rows, chat.distribution, chat.notes) == ([{"c": 1}], {"k": 2}, ["n"])
    assert chat.flags == (Flag.UNRELIABLE,)
    assert a.run is not None
    assert (a.run.suite, a.run.engine_version, a.run.date) == ("v1", "0.19.1", "2026-04-01")
    assert (a.run.vram_gb, a.run.origin, a.run.server_config) == (12.5, "dataset:old", {"x": 1})
    assert len(store.runs("a")) == 1
    assert len(store.runs("b")) == 1
    assert store.runs("empty") == []  # no results, no run
    assert store.build_ids() == ["a", "b", "empty"]
    store.put_build(a.build, HardwareInfo("hw", "Old box"), [chat], run=RunInfo("new", "v1", "hw"))
    assert len(store.runs("a")) == 2  # the migrated table takes new runs
    store.close()


def test_vram_measured_in_one_run_never_speaks_for_another(store: Store) -> None:
    logged = dataclasses.replace(BUILD, vram_gb=20.0, vram_method="engine-log", vram_source="a")
    v1 = RunInfo("one", "v1", "box", vram_gb=20.0, vram_method="engine-log", vram_source="a")
    store.put_build(logged, HW, [REC], run=v1)
    store.put_build(logged, HW, [REC], run=RunInfo("two", "v2", "box"))
    one, two = store.build("my-build", suite="v1"), store.build("my-build", suite="v2")
    assert one is not None
    assert two is not None
    assert (one.build.vram_gb, one.build.vram_method) == (20.0, "engine-log")
    assert two.build.vram_gb is None
    estimated = dataclasses.replace(BUILD, vram_gb=6.0, vram_method="estimated", vram_source="e")
    store.put_build(estimated, HW)
    two = store.build("my-build", suite="v2")
    assert two is not None
    assert (two.build.vram_gb, two.build.vram_method) == (6.0, "estimated")


def test_upgrade_to_0005_keeps_runs_local_and_starts_the_data_version(tmp_path: Path) -> None:
    """Runs stored before the board exist unchanged, unsubmitted and unretracted."""
    from alembic import command

    from arena.store.db import _alembic_config, make_engine

    db = tmp_path / "v4.db"
    engine = make_engine(f"sqlite:///{db}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.execute(text("insert into hardware (id, name) values ('hw', 'Box')"))
        conn.execute(text("insert into base_model (id) values ('m')"))
        conn.execute(
            text(
                "insert into build (id, name, base_model_id, precision, hardware_id, "
                "server_config, origin) values ('b', 'B', 'm', 'bf16', 'hw', '{}', 'user')"
            )
        )
    engine.dispose()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "insert into run (id, build_id, suite, recorded_at, hardware_id, server_config, "
            "tool_versions, environment, source_files, origin) values "
            "('r1', 'b', 'v2', '2026-01-01', 'hw', '{}', '{}', '{}', '{}', 'user')"
        )
    Store.open(str(db))
    with sqlite3.connect(db) as conn:
        assert conn.execute("select version_num from alembic_version").fetchone() == ("0005",)
        row = conn.execute(
            "select submitted_by, content_hash, retracted_at from run where id = 'r1'"
        ).fetchone()
        assert row == (None, None, None)
        assert conn.execute("select version from data_version").fetchall() == [(0,)]
        assert conn.execute("select memory_gb from hardware").fetchall() == [(None,)]
