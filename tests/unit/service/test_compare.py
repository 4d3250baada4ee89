"""Compare on the bundled data: headlines are the leaderboard's, changes and the spread verdict
follow from the stored numbers, and each build's runs are listed oldest first with their deltas."""

from __future__ import annotations

import dataclasses

import pytest

from arena.catalog import load_catalog
from arena.errors import ArenaError
from arena.records import BenchRecord, Provenance, RunInfo
from arena.service import UnknownBuildError, board, compare, leaderboard_json
from arena.store import Store

CAT = load_catalog()
BF16, FP8 = "qwen-3.6-35b-a3b-bf16", "qwen-3.6-35b-a3b-fp8"
SMALL = "qwen-3.5-2b-bf16"
V1_ONLY = "mistral-small-3.2-24b-it-nvfp4"  # the bundled v2 data lacks it


def test_headlines_are_the_stored_ones_and_changes_are_against_the_first(store: Store) -> None:
    c = compare(store, CAT, [BF16, FP8])
    assert c["suite"] == "v2"
    assert [b["id"] for b in c["builds"]] == [BF16, FP8]
    assert c["reference"] == BF16
    assert [b["bench"] for b in c["benches"]] == list(CAT.suites["v2"].bench_ids)
    views = [store.build(i, suite="v2") for i in (BF16, FP8)]
    for row in c["benches"]:
        if row["bench"] == "rate-sweep":
            continue
        want = [v.results[row["bench"]].tps_per_user for v in views if v is not None]
        assert row["values"] == want
        assert row["delta_pct"][0] is None
        assert row["delta_pct"][1] == pytest.approx((want[1] - want[0]) / want[0] * 100)


def test_the_rate_sweep_reads_as_capacity_at_5_s(store: Store) -> None:
    c = compare(store, CAT, [BF16, FP8])
    sweep = next(r for r in c["benches"] if r["bench"] == "rate-sweep")
    assert sweep["measure"] == "capacity_rps_5s"
    for i, build in enumerate((BF16, FP8)):
        view = store.build(build, suite="v2")
        assert view is not None
        caps = view.results["rate-sweep"].distribution["capacity"]
        at_5s = next(x for x in caps if x["ttft_p95_limit_ms"] == 5000)
        assert sweep["values"][i] == at_5s["offered_rps"]
    assert sweep["verdict"][1] == "spread unknown"


def test_single_bench_presets_rank_by_the_numbers_compare_shows(store: Store) -> None:
    c = compare(store, CAT, [BF16, FP8, SMALL])
    by_bench = {r["bench"]: r["values"] for r in c["benches"]}
    for preset, bench in (("chat", "chat"), ("batch", "rag-8k"), ("team-server", "rate-sweep")):
        rows = {r["model"]: r for r in leaderboard_json(board(store, CAT, preset))["rows"]}
        assert [rows[i]["throughput_tps"] for i in (BF16, FP8, SMALL)] == by_bench[bench]
    aggregate = {r["model"]: r for r in leaderboard_json(board(store, CAT))["rows"]}
    for q in c["quality"]:
        for i, build in enumerate((BF16, FP8, SMALL)):
            assert aggregate[build]["quality_parts"].get(q["metric"]) == q["values"][i]
            assert aggregate[build]["quality_kinds"].get(q["metric"]) == q["kinds"][i]
            assert (q["sources"][i] is None) == (q["values"][i] is None)


def test_the_spread_rule_sums_both_stds_and_says_when_it_is_unknown(store: Store) -> None:
    c = compare(store, CAT, [BF16, FP8])
    assert "std" in c["rule"]
    seen = set()
    for row in c["benches"]:
        (a, b), (sa, sb) = row["values"], row["spread"]
        assert row["verdict"][0] == "reference"
        if a is None or b is None:
            continue
        if sa is None and sb is None:
            assert row["exceeds_spread"][1] is None
            assert row["verdict"][1] == "spread unknown"
        else:
            assert row["exceeds_spread"][1] == (abs(b - a) > (sa or 0) + (sb or 0))
        seen.add(row["verdict"][1])
    assert seen == {"exceeds", "within", "spread unknown"}  # this pair shows all three


def test_vram_and_only_differing_config_keys(store: Store) -> None:
    c = compare(store, CAT, [BF16, SMALL], suite="v1")
    views = [store.build(i, suite="v1") for i in (BF16, SMALL)]
    assert [v["gb"] for v in c["vram"]] == [v.build.vram_gb for v in views if v]
    assert [v["method"] for v in c["vram"]] == [v.build.vram_method for v in views if v]
    listed = {d["key"]: d["values"] for d in c["config_diff"]}
    assert listed["engine_version"] == [v.build.engine_version for v in views if v]
    assert all(len(set(vals)) > 1 for vals in listed.values())
    a, b = (v.build.server_config for v in views if v)
    for key in set(a) & set(b):
        assert (f"server_config.{key}" in listed) == (a[key] != b[key])


def test_runs_over_time_are_oldest_first_with_deltas_between_them(store: Store) -> None:
    c = compare(store, CAT, [BF16, FP8])
    runs = c["runs_over_time"][0]["runs"]
    assert [r["suite"] for r in runs] == ["v1", "v2"]
    assert runs[0]["previous"] is None
    assert runs[1]["previous"] == runs[0]["run_id"]
    assert runs[1]["same_suite"] is False
    assert runs[0]["engine_version"] != runs[1]["engine_version"]
    stored = {br.run.id: {r.bench_id: r for r in br.results} for br in store.runs(BF16)}
    old, new = stored[runs[0]["run_id"]]["chat"], stored[runs[1]["run_id"]]["chat"]
    assert old.tps_per_user is not None
    assert new.tps_per_user is not None
    want = (new.tps_per_user - old.tps_per_user) / old.tps_per_user * 100
    assert runs[1]["delta_pct"]["chat"] == pytest.approx(want)
    assert old.std is not None
    assert new.std is not None
    beyond = abs(new.tps_per_user - old.tps_per_user) > old.std + new.std
    assert runs[1]["exceeds_spread"]["chat"] is beyond
    assert "concurrency-stress" not in runs[1]["delta_pct"]  # v1 has no such bench


def test_a_second_run_in_the_same_suite_is_a_same_suite_step(store: Store) -> None:
    before = compare(store, CAT, [BF16, FP8])["runs_over_time"][0]["runs"][-1]
    view = store.build(BF16, suite="v2")
    assert view is not None
    assert view.run is not None
    chat = dataclasses.replace(
        view.results["chat"], tps_per_user=before["values"]["chat"] * 1.5, source=Provenance("t")
    )
    run = RunInfo("r-compare-later", "v2", "dgx-spark", date="2026-09-01T00:00:00+00:00")
    store.put_build(view.build, view.hardware, [chat], run=run)
    after = compare(store, CAT, [BF16, FP8])
    last = after["runs_over_time"][0]["runs"][-1]
    assert last["run_id"] == "r-compare-later"
    assert last["same_suite"] is True
    assert last["delta_pct"] == {"chat": pytest.approx(50.0)}
    assert after["benches"][0]["values"][0] == before["values"]["chat"] * 1.5


def test_a_bench_the_reference_lacks_reads_no_reference(store: Store) -> None:
    lacking = "qwen-3.6-27b-fp8"  # its v1 run has no reasoning result with a headline
    c = compare(store, CAT, [lacking, BF16], suite="v1")
    reasoning = next(r for r in c["benches"] if r["bench"] == "reasoning")
    assert reasoning["values"][0] is None
    assert reasoning["values"][1] is not None
    assert reasoning["verdict"] == ["no value", "no reference"]
    assert reasoning["delta_pct"][1] is None


def test_the_default_suite_is_the_newest_all_builds_share(store: Store) -> None:
    assert compare(store, CAT, [V1_ONLY, BF16])["suite"] == "v1"
    with pytest.raises(ArenaError, match=f"build '{V1_ONLY}' has no run in suite 'v2'"):
        compare(store, CAT, [BF16, V1_ONLY], suite="v2")
    v2_only = "qwen-3.6-35b-a3b-nvfp4"
    with pytest.raises(ArenaError, match=f"share no suite \\({V1_ONLY}: v1; {v2_only}: v2\\)"):
        compare(store, CAT, [V1_ONLY, v2_only])


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([BF16], "2 to 4 build ids; got 1"),
        ([BF16, FP8, SMALL, V1_ONLY, "x"], "got 5"),
        ([BF16, BF16], f"'{BF16}' given twice"),
    ],
)
def test_bad_id_lists_are_one_line(store: Store, ids: list[str], message: str) -> None:
    with pytest.raises(ArenaError, match=message):
        compare(store, CAT, ids)


def test_an_unknown_id_is_named_with_close_matches(store: Store) -> None:
    with pytest.raises(UnknownBuildError) as err:
        compare(store, CAT, [BF16, "qwen-3.6-35b-a3b-fp9"])
    assert str(err.value).startswith("unknown build 'qwen-3.6-35b-a3b-fp9'; did you mean: ")
    assert FP8 in str(err.value)
    with pytest.raises(ArenaError, match="unknown suite 'v9'"):
        compare(store, CAT, [BF16, FP8], suite="v9")


def test_a_failed_attempt_has_no_headline() -> None:
    from arena.service.compare import headline
    from arena.verdicts import Flag

    rec = BenchRecord("chat", 10.0, 20.0, None, None, 1.0, None, Provenance("t"))
    assert headline("chat", rec) == 10.0
    assert headline("chat", dataclasses.replace(rec, flags=(Flag.FAILED,))) is None
