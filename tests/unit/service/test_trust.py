"""The trust rule (service/trust.py) on hand-made runs: pure, no store."""

from __future__ import annotations

import dataclasses

from arena.records import BenchRecord, Provenance, RunInfo
from arena.service.trust import cohort_runs, host_of, trust
from arena.store.views import RunView

SRC = Provenance("llama-benchy", "0.3.7", None, None, None)


def rec(bench: str, tps: float | None, std: float | None = None) -> BenchRecord:
    return BenchRecord(bench, tps, None, None, None, None, std, SRC)


def run(
    run_id: str,
    host: str | None,
    results: dict[str, tuple[float, float | None]],
    hardware: str = "box",
    suite: str = "v2",
    retracted: bool = False,
) -> RunView:
    held = {b: rec(b, tps, std) for b, (tps, std) in results.items()}
    return RunView(
        RunInfo(run_id, suite, hardware),
        "2026-01-01T00:00:00Z",
        tuple(held),
        tuple(held),
        submitted_by=host,
        retracted_at="2026-02-01T00:00:00Z" if retracted else None,
        results=held,
    )


def test_two_hosts_within_five_percent_reproduce() -> None:
    a = run("a", "box-a", {"chat": (100.0, None), "rag": (50.0, None)})
    b = run("b", "box-b", {"chat": (104.0, None), "rag": (48.0, None)})
    t = trust([a, b], a.results)
    assert (t.reproduced, t.hosts) == (True, 2)
    assert t.agreement == {"a": "agrees", "b": "agrees"}


def test_one_host_twice_is_not_reproduced_and_local_is_a_host() -> None:
    a = run("a", "box-a", {"chat": (100.0, None)})
    again = run("a2", "box-a", {"chat": (100.0, None)})
    assert trust([a, again], a.results).reproduced is False
    local = run("l", None, {"chat": (101.0, None)})
    t = trust([a, local], a.results)
    assert (t.reproduced, t.hosts) == (True, 2)


def test_a_loaded_dataset_run_is_its_dataset_not_local() -> None:
    bundled = run("d", None, {"chat": (100.0, None)})
    bundled = dataclasses.replace(
        bundled, run=dataclasses.replace(bundled.run, origin="dataset:dgx-spark-benchmarks-v2")
    )
    assert host_of(bundled) == "dataset:dgx-spark-benchmarks-v2"
    assert host_of(run("l", None, {"chat": (1.0, None)})) == "local"
    assert host_of(run("s", "box-a", {"chat": (1.0, None)})) == "box-a"
    local = run("l", None, {"chat": (101.0, None)})
    assert trust([bundled, local], bundled.results).hosts == 2


def test_beyond_five_percent_agrees_only_within_the_spread() -> None:
    a = run("a", "box-a", {"chat": (100.0, None)})
    b = run("b", "box-b", {"chat": (108.0, None)})
    assert trust([a, b], a.results).reproduced is False
    wide = run("w", "box-b", {"chat": (108.0, 9.0)})  # std 9 covers the 8 tok/s gap
    assert trust([a, wide], a.results).reproduced is True


def test_a_bench_that_differs_breaks_the_pair_and_no_shared_bench_is_no_evidence() -> None:
    a = run("a", "box-a", {"chat": (100.0, None), "rag": (50.0, None)})
    b = run("b", "box-b", {"chat": (100.0, None), "rag": (60.0, None)})
    assert trust([a, b], a.results).reproduced is False
    c = run("c", "box-c", {"long": (30.0, None)})
    t = trust([a, c], a.results)
    assert t.reproduced is False
    assert "c" not in t.agreement  # nothing to compare with the shown result


def test_disagrees_beyond_fifteen_percent_or_three_spreads() -> None:
    shown = run("s", "box-a", {"chat": (100.0, 2.0)})
    near = run("n", "box-b", {"chat": (86.0, None)})  # 14 % off: agrees
    far = run("f", "box-c", {"chat": (80.0, None)})  # 20 % off, 3 x 2 = 6 < 20: disagrees
    noisy = run("z", "box-d", {"chat": (80.0, 7.0)})  # 3 x 7 = 21 covers it
    t = trust([shown, near, far, noisy], shown.results)
    assert t.agreement == {"s": "agrees", "n": "agrees", "f": "disagrees", "z": "agrees"}


def test_retracted_and_other_hardware_or_suite_runs_are_left_out() -> None:
    a = run("a", "box-a", {"chat": (100.0, None)})
    gone = run("g", "box-b", {"chat": (100.0, None)}, retracted=True)
    other_hw = run("h", "box-c", {"chat": (100.0, None)}, hardware="other")
    other_suite = run("v", "box-d", {"chat": (100.0, None)}, suite="v1")
    kept = cohort_runs([a, gone, other_hw, other_suite], "v2", "box")
    assert [rv.run.id for rv in kept] == ["a"]
    t = trust([a, gone], a.results)
    assert (t.reproduced, t.hosts) == (False, 1)
    assert "g" not in t.agreement


def test_results_without_a_headline_are_not_compared() -> None:
    a = run("a", "box-a", {"sweep": (0.0, None)})
    b = dataclasses.replace(run("b", "box-b", {}), results={"sweep": rec("sweep", None)})
    t = trust([a, b], a.results)
    assert (t.reproduced, t.agreement) == (False, {})
