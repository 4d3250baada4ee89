"""The service per suite: default and unknown suites, the new row fields, one build's runs."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from arena.catalog import load_catalog
from arena.errors import ArenaError
from arena.service import board, build_detail, detail, leaderboard_json
from arena.store import Store
from tests.conftest import SHARED as SHARED_V1
from tests.v2_data import (
    SHARED,
    SUSPECT_ANSWER,
    V2Build,
    add_v2_runs,
    bundled,
    joules,
    v1_only,
)

CAT = load_catalog()
V2_RESULTS = SHARED_V1.parent / "dgx-spark-benchmarks-v2" / "results"


@pytest.fixture
def v1_store(db_path: str) -> Iterator[Store]:
    """The bundled v1 data alone, so the v2 runs written here are the only v2 data."""
    s = v1_only(db_path)
    yield s
    s.close()


@pytest.fixture
def v2(v1_store: Store) -> list[V2Build]:
    """The bundled v1 data plus the v2 runs of tests/v2_data.py."""
    return add_v2_runs(v1_store)


def v2_dirs() -> dict[str, Path]:
    """Build id -> run dir of the shared v2 data (`<model folder>-<precision folder>`)."""
    return {f"{d.parent.name}-{d.name}": d for d in V2_RESULTS.glob("*/*/*") if d.is_dir()}


def counted(preset: str) -> list[str]:
    """The preset's benches that suite v2 has, read off the catalog data."""
    return [b for b in CAT.presets[preset].benches if b in CAT.suites["v2"].bench_ids]


def test_default_suite_is_the_newest_catalog_suite_with_data(v1_store: Store) -> None:
    only_v1 = leaderboard_json(board(v1_store, CAT))
    assert only_v1["suite"] == "v1"
    spark = {"id": "dgx-spark", "name": "DGX Spark · GB10 · 128 GB unified", "builds": 23}
    assert only_v1["suites"] == [
        {"id": "v1", "title": CAT.suites["v1"].title, "builds": 23, "hardware": [spark]}
    ]
    written = add_v2_runs(v1_store)
    data = leaderboard_json(board(v1_store, CAT))
    assert data["suite"] == "v2"
    assert [(s["id"], s["builds"]) for s in data["suites"]] == [("v1", 23), ("v2", len(written))]
    assert {r["suite"] for r in data["rows"]} == {"v2"}
    assert len(data["rows"]) == len(written)
    assert leaderboard_json(board(v1_store, CAT, suite="v1"))["rows"] == only_v1["rows"]


def test_the_bundled_data_shows_suite_v2_first(store: Store) -> None:
    data = leaderboard_json(board(store, CAT))
    assert data["suite"] == "v2"
    assert [(s["id"], s["builds"]) for s in data["suites"]] == [("v1", 23), ("v2", 30)]
    assert sorted(r["model"] for r in data["rows"]) == sorted(v2_dirs())
    assert {r["suite"] for r in data["rows"]} == {"v2"}


def test_the_bundled_v2_sanity_is_the_raw_answer(store: Store) -> None:
    rows = {r["model"]: r for r in leaderboard_json(board(store, CAT))["rows"]}
    for build, d in v2_dirs().items():
        checked = any(d.glob("_sanity*"))
        assert (rows[build]["sanity"]["verdict"] != "not-checked") == checked, build
    raw = json.loads((v2_dirs()["ministral-3-3b-instruct-bf16"] / "_sanity-raw.json").read_text())
    answer = raw["choices"][0]["message"]["content"]
    assert set(answer) == {"#"}
    assert rows["ministral-3-3b-instruct-bf16"]["sanity"] == {
        "verdict": "suspect",
        "answer": answer,
    }


def test_team_server_ranks_the_bundled_capacity_of_the_raw_sweeps(store: Store) -> None:
    want: dict[str, float | None] = {}
    for build, d in v2_dirs().items():
        sweep = d / "11-rate-sweep.json"
        raw = json.loads(sweep.read_text()) if sweep.exists() else {}
        at_5s = raw.get("capacity_by_slo_ms", {}).get("5000")
        if at_5s is not None:
            want[build] = at_5s["configured_rps"]
        elif raw.get("steps"):  # swept, but even the lowest rate missed 5 s: capacity 0
            want[build] = 0.0
        else:
            want[build] = None
    data = leaderboard_json(board(store, CAT, "team-server"))
    assert (data["suite"], data["measure"], data["benches"]) == (
        "v2",
        "capacity_rps_5s",
        ["rate-sweep"],
    )
    assert {r["model"]: r["capacity_rps_5s"] for r in data["rows"]} == want
    best = max(v for v in want.values() if v is not None)
    assert {r["model"] for r in data["rows"] if r["G"] == 100} == {
        b for b, v in want.items() if v == best
    }


def test_an_unknown_suite_names_the_valid_ones(store: Store) -> None:
    with pytest.raises(ArenaError, match=r"unknown suite 'v9'; expected one of: v1, v2$"):
        board(store, CAT, suite="v9")


def test_an_empty_store_shows_the_newest_catalog_suite(db_path: str) -> None:
    empty = Store.open(db_path)
    data = leaderboard_json(board(empty, CAT))
    assert (data["suite"], data["suites"], data["rows"]) == ("v2", [], [])


@pytest.mark.parametrize("preset", ["aggregate", "chat", "batch"])
def test_v2_rows_carry_run_sanity_capacity_and_energy(
    v1_store: Store, v2: list[V2Build], preset: str
) -> None:
    rows = {r["model"]: r for r in leaderboard_json(board(v1_store, CAT, preset))["rows"]}
    for b in v2:
        row = rows[b.build.id]
        assert row["run_id"] == b.run.id
        sanity = b.run.sanity
        want = {"verdict": "not-checked", "answer": None}
        if sanity is not None:
            want = {"verdict": sanity.verdict, "answer": sanity.answer}
        assert row["sanity"] == want
        cap = (b.capacity or {}).get(5000)
        assert row["capacity_rps_5s"] == cap
        per_bench = [joules(s.power) for s in b.benches if s.power and s.bench in counted(preset)]
        assert row["energy_benches"] == len(per_bench)
        if per_bench:
            assert row["joules_per_token"] == pytest.approx(
                sum(per_bench) / len(per_bench), abs=5e-4
            )
        else:
            assert row["joules_per_token"] is None


def test_v1_rows_keep_their_attribution_and_were_not_checked(
    v1_store: Store, v2: list[V2Build]
) -> None:
    rows = leaderboard_json(board(v1_store, CAT, suite="v1"))["rows"]
    assert len(rows) == 23
    for r in rows:
        assert r["attribution"] == "Data: Django de Vreng, djangodevreng.nl, CC-BY-4.0"
        assert r["sanity"] == {"verdict": "not-checked", "answer": None}
        assert (r["joules_per_token"], r["energy_benches"], r["capacity_rps_5s"]) == (None, 0, None)
        assert r["run_id"] is not None
    shared = next(r for r in rows if r["model"] == SHARED)
    v2_rows = leaderboard_json(board(v1_store, CAT))["rows"]
    v2_row = next(r for r in v2_rows if r["model"] == SHARED)
    assert shared["run_id"] != v2_row["run_id"] == "run-v2-shared"
    assert v2_row["attribution"] is None  # the v2 run is the user's own, not the dataset's


def test_a_capacity_preset_says_its_measure_and_ranks_it(
    v1_store: Store, v2: list[V2Build]
) -> None:
    data = leaderboard_json(board(v1_store, CAT, "team-server"))
    assert data["measure"] == "capacity_rps_5s"
    assert data["benches"] == ["rate-sweep"]
    best = max(v2, key=lambda b: (b.capacity or {}).get(5000) or 0)
    top = max(data["rows"], key=lambda r: r["G"] or 0.0)
    assert top["model"] == best.build.id
    assert top["capacity_rps_5s"] == top["throughput_tps"]
    v1 = leaderboard_json(board(v1_store, CAT, "team-server", suite="v1"))
    assert v1["benches"] == []
    assert all("no-measurement" in r["flags"] for r in v1["rows"])


def test_detail_defaults_to_the_newest_suite_of_the_build(
    v1_store: Store, v2: list[V2Build]
) -> None:
    store = v1_store
    d = detail(store, CAT, SHARED)
    assert d is not None
    assert (d["suite"], d["run_id"]) == ("v2", "run-v2-shared")
    assert [r["suite"] for r in d["runs"]] == ["v2", "v1"]
    assert {"id", "suite", "date", "engine_version"} <= set(d["runs"][0])
    assert d["runs"][0]["engine_version"] == "0.26.0"
    assert list(d["benches"]) == list(CAT.suites["v2"].bench_ids)
    assert d["benches_total"] == len(CAT.suites["v2"].bench_ids)
    assert d["sanity"]["verdict"] == "ok"
    old = detail(store, CAT, SHARED, suite="v1")
    assert old is not None
    v1_run = next(r for r in bundled("v1").runs if r.build_id == SHARED)
    assert old["run_id"] == d["runs"][1]["id"] == v1_run.run.id
    assert old["sanity"] == {
        "verdict": "not-checked",
        "answer": None,
        "reason": None,
        "source": None,
    }
    assert list(old["benches"]) == list(CAT.suites["v1"].bench_ids)
    measured = {k for k, b in old["benches"].items() if b is not None}
    assert measured == {r.bench_id for r in v1_run.results}
    assert all(b["energy"] is None for b in old["benches"].values() if b is not None)
    one = detail(store, CAT, SHARED, run=d["runs"][1]["id"])
    assert one is not None
    assert one["benches"] == old["benches"]


def test_detail_energy_capacity_and_steps_are_the_stored_ones(
    v1_store: Store, v2: list[V2Build]
) -> None:
    store = v1_store
    fast = next(b for b in v2 if b.build.id == "v2-fast")
    d = detail(store, CAT, "v2-fast")
    assert d is not None
    chat = d["benches"]["chat"]
    assert chat is not None
    e = chat["energy"]
    assert e is not None
    power = fast.benches[0].power
    assert power is not None
    assert (e["mean_power_w"], e["duration_s"], e["output_tokens"]) == power
    assert e["joules_per_output_token"] == pytest.approx(joules(power))
    assert list(e)[:4] == ["mean_power_w", "peak_power_w", "joules_per_output_token", "source"]
    assert chat["run_id"] == fast.run.id
    assert chat["capacity"] is None
    assert chat["steps"] is None
    sweep = d["benches"]["rate-sweep"]
    assert sweep is not None
    assert fast.capacity is not None
    assert [(c["ttft_p95_limit_ms"], c["offered_rps"]) for c in sweep["capacity"] or []] == list(
        fast.capacity.items()
    )
    assert sweep["steps"] is not None
    assert [s["offered_rps"] for s in sweep["steps"]] == [0.1, 0.3, 0.5, 0.7]
    assert set(sweep["steps"][0]) == {
        "offered_rps", "achieved_rps", "completed", "total", "ttft_p50_ms", "ttft_p95_ms",
        "ttft_p99_ms", "output_tps", "peak_concurrency",
    }  # fmt: skip
    suspect = detail(store, CAT, "v2-suspect")
    assert suspect is not None
    assert suspect["sanity"]["verdict"] == "suspect"
    assert suspect["sanity"]["answer"] == SUSPECT_ANSWER
    assert suspect["benches"]["rag-8k"] is not None
    assert suspect["benches"]["rag-8k"]["energy"] is None


@pytest.mark.parametrize(
    ("build", "suite", "run", "message"),
    [
        ("v2-fast", "v1", None, r"build 'v2-fast' has no run in suite 'v1'; its suites: v2"),
        ("v2-fast", "v7", None, r"unknown suite 'v7'; expected one of: v1, v2"),
        ("v2-fast", None, "nope", r"run 'nope' is not a run of build 'v2-fast'; its runs: "),
        (SHARED, "v1", "run-v2-shared", r"run 'run-v2-shared' is in suite 'v2', not 'v1'"),
    ],
)
def test_detail_names_what_a_build_lacks(
    v1_store: Store, v2: list[V2Build], build: str, suite: str | None, run: str | None, message: str
) -> None:
    with pytest.raises(ArenaError, match=message):
        detail(v1_store, CAT, build, suite, run)
    assert detail(v1_store, CAT, "no-such-build") is None


def test_detail_of_a_view_without_runs_is_not_checked(store: Store) -> None:
    view = store.build(SHARED)
    assert view is not None
    bare = dataclasses.replace(view, run=None, runs=[], suite=None, result_runs={})
    d = build_detail(bare, CAT)
    assert (d["suite"], d["run_id"], d["runs"]) == (None, None, [])
    assert d["sanity"]["verdict"] == "not-checked"
