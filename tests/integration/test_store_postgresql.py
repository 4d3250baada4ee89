"""The store on a real PostgreSQL server started for the session."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from arena.dataset import open_store
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
