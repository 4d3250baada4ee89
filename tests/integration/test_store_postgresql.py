"""The store on a real PostgreSQL server started for the session."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from arena.dataset import open_store
from arena.records import RunInfo
from arena.store import Store
from tests.unit.store.test_store import BUILD, HW, REC


def test_same_store_works_on_postgresql(pg_url: str) -> None:
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("drop database if exists arena_test"))
        conn.execute(text("create database arena_test"))
    engine.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/arena_test"
    store = open_store(url)
    assert len(store.build_ids()) == 23
    store.put_build(BUILD, HW, [REC])
    store.put_build(BUILD, HW, [REC])
    view = store.build("my-build")
    assert view is not None
    assert view.results["chat"] == REC
    again = Store.open(url)
    assert len(again.build_ids()) == 24
    again.close()
    store.close()


def _fresh(pg_url: str, name: str) -> str:
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"drop database if exists {name}"))
        conn.execute(text(f"create database {name}"))
    engine.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def test_runs_and_the_0004_upgrade_work_on_postgresql(pg_url: str) -> None:
    """0003 data moved into runs on PostgreSQL; later inserts get fresh ids; runs never rewrite."""
    from alembic import command

    from arena.store.db import _alembic_config, make_engine

    url = _fresh(pg_url, "arena_upgrade")
    engine = make_engine(url)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(text("insert into hardware (id, name) values ('box', 'Box')"))
        conn.execute(text("insert into base_model (id) values ('org/model')"))
        conn.execute(
            text(
                "insert into build (id, name, base_model_id, precision, hardware_id, "
                "server_config, origin) values ('my-build', 'B', 'org/model', 'bf16', 'box', "
                "'{}', 'user')"
            )
        )
        conn.execute(
            text(
                "insert into bench_result (build_id, bench_id, tps_per_user, rows, distribution,"
                " notes, flags, tool) values ('my-build', 'chat', 9.5, '[]', '{}', '[]', '[]', "
                "'arena')"
            )
        )
    engine.dispose()
    store = Store.open(url)
    view = store.build("my-build", suite="v1")
    assert view is not None
    assert view.results["chat"].tps_per_user == 9.5
    run = RunInfo("pg-run", "v2", "box", date="2026-08-07")
    assert store.put_build(BUILD, HW, [REC], run=run) is True
    assert store.put_build(BUILD, HW, [REC], run=run) is False
    assert store.suites() == ["v1", "v2"]
    v2 = store.build("my-build", suite="v2")
    assert v2 is not None
    assert v2.results["chat"] == REC
    assert len(store.runs("my-build")) == 2
    store.close()
