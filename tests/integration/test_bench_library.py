"""A suite measured through the library call alone (no Typer): config in, stored records out."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from arena.bench import (
    RequestResult,
    SuiteConfig,
    SuiteProgress,
    SuiteResult,
    Timeouts,
    run_suite,
    select_benches,
)
from arena.builds import BuildSpec
from arena.catalog.types import Bench
from arena.errors import ArenaError
from arena.records import BenchRecord
from arena.store import Store
from arena.verdicts import ErrorKind, Flag
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    MODEL,
    ref_server_fixture,
    template_db_fixture,
)
from tests.servers.reference import ReferenceServer

BENCHES = "chat,office-baseline"


class Recorder(SuiteProgress):
    """Keeps every callback the suite makes, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.results: list[RequestResult] = []

    def bench_start(self, bench: Bench, total: int) -> None:
        self.events.append(f"start {bench.id} {total}")

    def request(self, bench: Bench, result: RequestResult) -> None:
        self.results.append(result)

    def bench_done(self, bench: Bench, record: BenchRecord) -> None:
        self.events.append(f"done {bench.id}")


def _store(tmp_path: Path, template: Path) -> Store:
    shutil.copyfile(template, tmp_path / "a.db")
    return Store.open(str(tmp_path / "a.db"))


def _config(url: str, **kw: Any) -> SuiteConfig:
    benches = tuple(select_benches(BENCHES, None, "smoke", None))
    config = SuiteConfig(
        model=MODEL,
        build=BuildSpec("lib-build", params_b=1.0, precision="bf16"),
        benches=benches,
        base_url=url,
        profile="smoke",
        timeouts=Timeouts(connect=5, first_token=60, between_tokens=60),
    )
    return dataclasses.replace(config, **kw)


def test_run_suite_stores_each_bench_and_reports_progress(
    ref_server: ReferenceServer, template_db: Path, tmp_path: Path
) -> None:
    store = _store(tmp_path, template_db)
    rec = Recorder()
    result = run_suite(_config(ref_server.base_url), store, rec)
    assert isinstance(result, SuiteResult)
    assert [r.bench_id for r in result.records] == ["chat", "office-baseline"]
    assert rec.events[0].startswith("start chat ")
    assert rec.events[-1] == "done office-baseline"
    assert all(r.ok for r in rec.results)
    view = store.build("lib-build")
    assert view is not None
    assert set(view.results) == {"chat", "office-baseline"}
    for r in result.records:
        assert r.flags == ()
        assert r.failed == 0
        assert r.tps_per_user is not None
        assert r.tps_per_user > 0
        assert r.distribution["errors"] == {}
        assert view.results[r.bench_id].tps_per_user == r.tps_per_user
    store.close()


def test_failures_are_counted_by_the_engine_and_flagged(
    ref_server: ReferenceServer, template_db: Path, tmp_path: Path
) -> None:
    ref_server.config.fault = "http500"
    ref_server.config.fault_every = 2  # every second request answers HTTP 500
    store = _store(tmp_path, template_db)
    rec = Recorder()
    # suite v1: results rewritten below without a run land in suite v1, where resume must read
    result = run_suite(_config(ref_server.base_url, suite="v1"), store, rec)
    failed = [r for r in rec.results if not r.ok]
    assert failed
    assert {r.kind for r in failed} == {ErrorKind.HTTP_STATUS}
    for r in result.records:
        assert r.flags == (Flag.FAILED, Flag.UNRELIABLE)  # half failed: a failed attempt
        errors = r.distribution["errors"]
        assert sum(errors.values()) == r.failed
        assert all(reason.startswith("HTTP 500") for reason in errors)
    view = store.build("lib-build")
    assert view is not None
    assert view.results == {}  # failed attempts are never the build's results
    assert set(view.runs[0].benches) == {"chat", "office-baseline"}  # but listed with the run
    # resume reads the flag, never the note: store chat as unreliable (not failed) without its
    # verdict note, and office-baseline with its note but no flag
    chat, office = (
        next(r for r in result.records if r.bench_id == b) for b in view.runs[0].benches
    )
    verdict = ("unreliable", "suspect")
    store.put_build(view.build, view.hardware, [
        dataclasses.replace(
            chat, notes=[n for n in chat.notes if not n.startswith(verdict)],
            flags=(Flag.UNRELIABLE,),
        ),
        dataclasses.replace(office, flags=()),
    ])  # fmt: skip
    ref_server.config.fault = ""
    again = run_suite(_config(ref_server.base_url, resume=True, suite="v1"), store, Recorder())
    assert again.skipped == ("office-baseline",)
    assert again.remeasured == ("chat (stored result is unreliable)",)
    store.close()


def test_resume_with_everything_stored_contacts_no_server(
    ref_server: ReferenceServer, template_db: Path, tmp_path: Path
) -> None:
    store = _store(tmp_path, template_db)
    url = ref_server.base_url
    config = _config(url, resume=True)
    assert len(run_suite(config, store).records) == 2
    ref_server.stop()
    again = run_suite(config, store)  # the server is down, and nothing asks it anything
    assert again.records == ()
    assert again.skipped == ("chat", "office-baseline")
    with pytest.raises(ArenaError, match="cannot connect"):
        run_suite(_config(url, build=BuildSpec("other-build")), store)
    assert store.build("other-build") is None  # nothing is written before the server answers
    store.close()


def test_a_failed_rerun_leaves_the_good_result_ranked(
    ref_server: ReferenceServer, template_db: Path, tmp_path: Path
) -> None:
    """Every `arena bench` is a new run: one whose requests all fail (HTTP 500) is kept as a
    failed attempt and the earlier good result stays the one shown and ranked."""
    from arena.catalog import load_catalog
    from arena.service import leaderboard

    store = _store(tmp_path, template_db)
    good = run_suite(_config(ref_server.base_url), store, Recorder())
    good_tps = {r.bench_id: r.tps_per_user for r in good.records}
    ref_server.config.fault = "http500"
    ref_server.config.fault_every = 1
    bad = run_suite(_config(ref_server.base_url), store, Recorder())
    assert all(r.tps_per_user is None for r in bad.records)
    view = store.build("lib-build", suite="v2")  # the suite `arena bench` runs by default
    assert view is not None
    assert len(view.runs) == 2
    newest, older = view.runs
    assert newest.good == ()
    assert set(newest.benches) == {"chat", "office-baseline"}
    assert {b: r.tps_per_user for b, r in view.results.items()} == good_tps
    assert set(view.result_runs.values()) == {older.run.id}
    board = leaderboard(store.builds("v2"), load_catalog(), preset="chat")
    mine = next(r for r in board.ranking.rows if r.model == "lib-build")
    assert mine.throughput_tps == good_tps["chat"]
    store.close()
