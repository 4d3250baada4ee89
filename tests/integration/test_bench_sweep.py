"""The rate sweep against the reference server with a slot limit, over real HTTP.

2 slots x 1.25 s service time serve at most 2 / 1.25 = 1.6 requests/s: below that queues stay
short, above it they grow by (offered - 1.6) requests every second. Offered 0.5, 1.0 and 3.0
req/s, the highest rate whose p95 TTFT stays under 5 s is therefore 1.0 (3.0 queues its later
requests for well over 5 s: 30 arrivals in 10 s, 16 served)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from arena.bench import SuiteConfig, SuiteProgress, Timeouts, run_suite, select_benches
from arena.builds import BuildSpec
from arena.catalog import load_catalog
from arena.catalog.types import Bench
from arena.importers import read_suite
from arena.records import BenchRecord
from arena.service.leaderboard import capacity_measures
from arena.store import Store
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    MODEL,
    template_db_fixture,
)
from tests.servers.reference import RefConfig, ReferenceServer
from tests.unit.importers.paths import V2_RESULTS, needs_v2

pytestmark = pytest.mark.slow

SLOTS, SERVICE = 2, 1.25
MAX_RPS = SLOTS / SERVICE  # 1.6: the most requests/s the server can finish


class Phases(SuiteProgress):
    """The sweep's steps as the progress callbacks announce them."""

    def __init__(self) -> None:
        self.phases: list[str] = []
        self.requests = 0
        self.total = 0

    def bench_start(self, bench: Bench, total: int) -> None:
        self.total = total

    def phase(self, bench: Bench, text: str) -> None:
        self.phases.append(text)

    def request(self, bench: Bench, result: object) -> None:
        self.requests += 1


def _sweep(
    tmp_path: Path, template: Path, srv: ReferenceServer, bench: Bench, progress: Phases
) -> tuple[BenchRecord, Store]:
    shutil.copyfile(template, tmp_path / "a.db")
    store = Store.open(str(tmp_path / "a.db"))
    config = SuiteConfig(
        model=MODEL,
        build=BuildSpec("sweep-build", params_b=1.0, precision="bf16"),
        benches=(bench,),
        base_url=srv.base_url,
        profile="smoke",
        timeouts=Timeouts(connect=5, first_token=60, between_tokens=60),
    )
    (rec,) = run_suite(config, store, progress).records
    return rec, store


def _bench(**kw: object) -> Bench:
    (smoke,) = select_benches("rate-sweep", None, "smoke", None)
    return dataclasses.replace(smoke, min_step_prompts=1, **kw)  # type: ignore[arg-type]


@needs_v2
def test_sweep_finds_the_computed_capacity_in_the_imported_v2_shape(
    template_db: Path, tmp_path: Path
) -> None:
    bench = _bench(request_rates=(0.5, 1.0, 3.0), step_seconds=10.0)
    progress = Phases()
    with ReferenceServer(RefConfig(ttft=0.05, slots=SLOTS, service=SERVICE)) as srv:
        rec, store = _sweep(tmp_path, template_db, srv, bench, progress)
    assert progress.phases == ["0.5 rps (5 requests)", "1 rps (10 requests)", "3 rps (30 requests)"]
    assert progress.total == progress.requests == 45
    steps = rec.distribution["steps"]
    assert [s["offered_rps"] for s in steps] == [0.5, 1.0, 3.0]
    assert [(s["completed"], s["total"]) for s in steps] == [(5, 5), (10, 10), (30, 30)]
    # the server can finish no more than 1.6 requests/s, whatever is offered
    assert steps[2]["achieved_rps"] <= MAX_RPS
    assert steps[1]["ttft_p95_ms"] < 5000 < steps[2]["ttft_p95_ms"]
    per_step = [m["total_output_tokens"] for m in rec.distribution["step_results"]]
    assert rec.distribution["total_output_tokens"] == sum(per_step) > 0  # for J per token
    five = next(c for c in rec.distribution["capacity"] if c["ttft_p95_limit_ms"] == 5000)
    assert (five["offered_rps"], five["met"]) == (1.0, True)
    assert five["achieved_rps"] == steps[1]["achieved_rps"]
    assert (rec.tps_per_user, rec.ttft_p95_ms) == (None, steps[1]["ttft_p95_ms"])
    assert rec.tps_total == steps[1]["output_tps"]
    assert (rec.completed, rec.failed) == (45, 0)
    # stored, and the leaderboard reads the capacity the team-server preset ranks
    view = store.build("sweep-build", suite="v2")
    assert view is not None
    assert capacity_measures(view.results["rate-sweep"])["capacity_rps_5s"] == 1.0
    store.close()
    # the same keys as a suite v2 rate sweep read by the importer
    run = next(p.parent for p in V2_RESULTS.glob("*/*/*/11-rate-sweep.json"))
    imported = next(
        r for r in read_suite(run, load_catalog()).results if r.bench_id == "rate-sweep"
    )
    theirs = imported.distribution
    assert set(theirs) <= set(rec.distribution)
    assert {frozenset(s) for s in theirs["steps"]} == {frozenset(s) for s in steps}
    mine_cap = {c["ttft_p95_limit_ms"]: set(c) for c in rec.distribution["capacity"]}
    for c in theirs["capacity"]:
        assert set(c) == mine_cap[c["ttft_p95_limit_ms"]] | ({"note"} if not c["met"] else set())
    assert imported.tps_per_user is None


def test_the_sweep_stops_after_a_step_past_the_stop_line(template_db: Path, tmp_path: Path) -> None:
    # the same server ten times faster: 16 requests/s; 30 offered for 1.5 s queues > 0.5 s
    bench = _bench(
        request_rates=(5.0, 30.0, 40.0),
        step_seconds=1.5,
        ttft_p95_limits_ms=(250.0, 500.0),
        stop_factor=1.0,
    )
    progress = Phases()
    with ReferenceServer(RefConfig(ttft=0.005, slots=SLOTS, service=SERVICE / 10)) as srv:
        rec, store = _sweep(tmp_path, template_db, srv, bench, progress)
        store.close()
    assert [s["offered_rps"] for s in rec.distribution["steps"]] == [5.0, 30.0]
    assert progress.phases == ["5 rps (8 requests)", "30 rps (45 requests)"]
    assert rec.distribution["stopped_after_rps"] == 30.0
    p95 = rec.distribution["steps"][1]["ttft_p95_ms"]
    assert p95 > 500
    assert (
        f"sweep stopped early after 30 req/s: p95 TTFT {p95:.0f} ms exceeds 500 ms (largest "
        "limit 500 ms x stop_factor 1); higher rates not run"
    ) in rec.notes
    assert [c["offered_rps"] for c in rec.distribution["capacity"]] == [5.0, 5.0]
