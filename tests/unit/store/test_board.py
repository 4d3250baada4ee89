"""The board's write side on a real SQLite store: tokens, submitted runs stored once, retraction."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from arena.dataset import RunBundle, from_bundle, load_bundled, to_bundle
from arena.errors import ArenaError
from arena.records import Dataset
from arena.store import Store
from arena.store.board import (
    SubmissionConflict,
    add_token,
    list_tokens,
    put_submitted,
    replace_token,
    retract,
    revoke_token,
    submitted_run,
    verify,
)
from arena.store.schema import Build, RunRow


@cache
def _v2() -> Dataset:
    return load_bundled("dgx_spark_v2.json")


def bundle(run_id: str = "box-run-1", index: int = 0) -> RunBundle:
    """One suite v2 run of the bundled data as a bundle under a new id (its content unchanged)."""
    ds = _v2()
    br = ds.runs[index]
    build = next(b for b in ds.builds if b.id == br.build_id)
    hw = next(h for h in ds.hardware if h.id == build.hardware_id)
    bm = next(m for m in ds.base_models if m.id == build.base_model)
    return RunBundle(hw, build, dataclasses.replace(br.run, id=run_id), br.results, bm)


def changed(b: RunBundle, run_id: str | None = None) -> RunBundle:
    """The same bundle with one number moved: other content."""
    first = b.results[0]
    moved = dataclasses.replace(first, tps_total=(first.tps_total or 0) + 1)
    run = dataclasses.replace(b.run, id=run_id or b.run.id)
    return dataclasses.replace(b, run=run, results=[moved, *b.results[1:]])


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated file without the bundled data, made once; tests get copies of it."""
    path = tmp_path_factory.mktemp("board") / "empty.db"
    Store.open(str(path)).close()
    return path


@pytest.fixture
def empty(empty_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A migrated store without the bundled data, so no run matches by facts."""
    path = tmp_path / "board.db"
    shutil.copyfile(empty_template, path)
    s = Store.open(str(path))
    yield s
    s.close()


def runs(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(RunRow)) or 0)


# ---- tokens -------------------------------------------------------------------------------
def test_token_verifies_and_only_its_digest_is_stored(empty: Store) -> None:
    token = add_token(empty, "spark-01")
    assert verify(empty, token) == "spark-01"
    assert verify(empty, token + "x") is None
    with empty.session() as s:
        row = s.execute(text("select * from board_token")).one()
    assert hashlib.sha256(token.encode()).hexdigest() in row
    assert token not in row
    assert [t.host for t in list_tokens(empty)] == ["spark-01"]


def test_adding_again_rotates_and_revoking_stops_the_token(empty: Store) -> None:
    old = add_token(empty, "spark-01")
    new = add_token(empty, "spark-01")
    assert old != new
    assert verify(empty, old) is None
    assert verify(empty, new) == "spark-01"
    first = revoke_token(empty, "spark-01")
    assert first.revoked_at is not None
    assert verify(empty, new) is None
    assert revoke_token(empty, "spark-01").revoked_at == first.revoked_at
    assert list_tokens(empty)[0].revoked_at == first.revoked_at
    again = add_token(empty, "spark-01")  # a new token for a revoked host works again
    assert verify(empty, again) == "spark-01"


def test_replace_token_returns_the_token_it_replaced(empty: Store) -> None:
    first, before = replace_token(empty, "spark-01")
    assert before is None  # a new host had no token
    second, before = replace_token(empty, "spark-01")
    assert before is not None
    assert before.revoked_at is None  # the first token was in use until now
    assert verify(empty, first) is None
    revoked = revoke_token(empty, "spark-01")
    third, before = replace_token(empty, "spark-01")
    assert before == revoked
    assert verify(empty, third) == "spark-01"
    assert verify(empty, second) is None


@pytest.mark.parametrize("host", ["", "two words", "a/b", "x" * 65, "-lead", "ü"])
def test_bad_host_names_are_refused(empty: Store, host: str) -> None:
    with pytest.raises(ArenaError, match="host"):
        add_token(empty, host)
    assert list_tokens(empty) == []


def test_revoking_an_unknown_host_names_the_known_ones(empty: Store) -> None:
    add_token(empty, "spark-01")
    with pytest.raises(ArenaError, match=r"host 'nope': no token; hosts with a token: spark-01"):
        revoke_token(empty, "nope")


# ---- submitted runs -----------------------------------------------------------------------
def test_a_run_is_stored_once_by_id_and_by_content(empty: Store) -> None:
    b = bundle()
    assert put_submitted(empty, b, "spark-01") == ("box-run-1", "created")
    assert put_submitted(empty, b, "spark-01") == ("box-run-1", "exists")
    renamed = dataclasses.replace(b, run=dataclasses.replace(b.run, id="box-run-2"))
    assert put_submitted(empty, renamed, "spark-02") == ("box-run-1", "exists")
    assert runs(empty) == 1
    row = submitted_run(empty, "box-run-1")
    assert row is not None
    assert (row.submitted_by, row.content_hash) == ("spark-01", b.content_hash())
    with empty.session() as s:
        stored = s.get(RunRow, "box-run-1")
        assert stored is not None
        assert stored.origin == "board:spark-01"
    view = empty.build(b.build.id, run="box-run-1")
    assert view is not None
    assert {r.bench_id: r for r in b.results} == dict(view.results)


def test_a_reused_id_with_other_content_is_a_conflict(empty: Store) -> None:
    b = bundle()
    put_submitted(empty, b, "spark-01")
    with pytest.raises(SubmissionConflict, match="run 'box-run-1' is stored with other content"):
        put_submitted(empty, changed(b), "spark-01")
    assert put_submitted(empty, changed(b, "box-run-3"), "spark-01") == ("box-run-3", "created")
    assert runs(empty) == 2


def test_the_bundled_run_sent_again_is_the_stored_one(store: Store) -> None:
    before = runs(store)
    same_id = bundle("placeholder")
    original = _v2().runs[0].run.id
    same_id = dataclasses.replace(same_id, run=dataclasses.replace(same_id.run, id=original))
    assert put_submitted(store, same_id, "spark-01") == (original, "exists")
    assert put_submitted(store, bundle("new-id"), "spark-01") == (original, "exists")
    with pytest.raises(SubmissionConflict):
        put_submitted(store, changed(same_id), "spark-01")
    assert runs(store) == before


def test_a_submission_fills_gaps_but_never_rewrites_stored_facts(store: Store) -> None:
    b = bundle()
    renamed = dataclasses.replace(b.build, name="Renamed by a box", vendor=None)
    blank_base = dataclasses.replace(b.base_model, params_total_b=None) if b.base_model else None
    put_submitted(store, dataclasses.replace(b, build=renamed, base_model=blank_base), "box")
    view = store.build(b.build.id)
    assert view is not None
    assert view.build.name == b.build.name
    base = store.base_model(b.build.base_model)
    assert base is not None
    assert b.base_model is not None
    assert base.params_total_b == b.base_model.params_total_b


def test_a_new_build_records_its_submitter(empty: Store) -> None:
    put_submitted(empty, bundle(), "spark-01")
    with empty.session() as s:
        build = s.get(Build, bundle().build.id)
        assert build is not None
        assert build.origin == "board:spark-01"


def _edit(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_edit(("run", "suite"), "v9"), "field 'run.suite' = 'v9'; expected one of"),
        (
            _edit(("run", "results", 0, "bench_id"), "nope"),
            "field 'run.results[0].bench_id' = 'nope'; expected a bench of suite v2",
        ),
        (_edit(("run", "results", 0, "tps_total"), -1.0), "'run.results[0].tps_total' = -1.0"),
        (_edit(("run", "results", 0, "tps_total"), "fast"), "'run.results[0].tps_total' = 'fast'"),
        (_edit(("run", "results", 0, "completed"), 1.5), "'run.results[0].completed' = 1.5"),
        (_edit(("build", "name"), "x" * 301), "'build.name' = 'xxx"),
        (_edit(("build", "name"), "  "), "'build.name'"),
        (_edit(("hardware", "memory_gb"), float("inf")), "'hardware.memory_gb' = inf"),
        (_edit(("run", "id"), "a b"), "field 'run.id' = 'a b'; expected 1-64 ASCII"),
        (_edit(("run", "server_config"), {"x": float("nan")}), "'run.server_config.x' = nan"),
        (_edit(("run", "tool_versions"), {"x": 1}), "'run.tool_versions.x' = 1"),
        (_edit(("run", "results", 0, "source", "tool"), "t" * 61), "'run.results[0].source.tool'"),
    ],
)
def test_a_bad_run_names_the_field_and_writes_nothing(
    empty: Store, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = json.loads(json.dumps(to_bundle(bundle())))
    edit(data)
    with pytest.raises(ArenaError) as err:
        put_submitted(empty, from_bundle(data), "spark-01")
    assert message in str(err.value)
    assert runs(empty) == 0
    assert empty.build_ids() == []


def test_a_bench_twice_in_one_run_is_refused(empty: Store) -> None:
    b = bundle()
    twice = dataclasses.replace(b, results=[b.results[0], b.results[0]])
    with pytest.raises(ArenaError, match=r"run.results\[1\].bench_id.*each bench once"):
        put_submitted(empty, twice, "spark-01")


# ---- retraction ---------------------------------------------------------------------------
def test_retraction_keeps_the_first_reason(empty: Store) -> None:
    put_submitted(empty, bundle(), "spark-01")
    run, first = retract(empty, "box-run-1", "driver 535 throttled")
    assert first
    assert run.retract_reason == "driver 535 throttled"
    again, second = retract(empty, "box-run-1", "another reason")
    assert not second
    assert (again.retracted_at, again.retract_reason) == (run.retracted_at, run.retract_reason)
    assert put_submitted(empty, bundle(), "spark-01") == ("box-run-1", "exists")
    stored = submitted_run(empty, "box-run-1")
    assert stored is not None
    assert stored.retract_reason == "driver 535 throttled"


def test_retracting_an_unknown_run_or_without_a_reason_is_one_error(empty: Store) -> None:
    with pytest.raises(ArenaError, match=r"run 'nope' is not in the store"):
        retract(empty, "nope", "why")
    put_submitted(empty, bundle(), "spark-01")
    with pytest.raises(ArenaError, match="--reason"):
        retract(empty, "box-run-1", " ")
    stored = submitted_run(empty, "box-run-1")
    assert stored is not None
    assert stored.retracted_at is None
