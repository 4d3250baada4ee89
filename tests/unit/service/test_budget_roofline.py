"""A memory budget hides builds before scoring; the roofline divides by the bandwidth bound."""

from __future__ import annotations

import dataclasses

import pytest

from arena.catalog import bytes_per_param, load_catalog
from arena.errors import ArenaError
from arena.service import board, detail, leaderboard, leaderboard_json
from arena.service.roofline import ABOVE, bound_tps, roofline
from arena.store import Store

CAT = load_catalog()
BUDGET = 24.0


def test_a_budget_hides_builds_over_it_and_rescores_what_fits(store: Store) -> None:
    full = leaderboard_json(board(store, CAT))
    fit = leaderboard_json(board(store, CAT, max_vram_gb=BUDGET))
    over = {r["model"] for r in full["rows"] if (r["vram_gb"] or 0) > BUDGET}
    assert over
    assert len(over) < len(full["rows"])
    assert fit["hidden_over_budget"] == len(over)
    assert fit["max_vram_gb"] == BUDGET
    assert full["hidden_over_budget"] == 0
    assert {r["model"] for r in fit["rows"]} == {r["model"] for r in full["rows"]} - over
    assert [r["rank"] for r in fit["rows"]] == list(range(1, len(fit["rows"]) + 1))
    # The best quality overall does not fit, so Q is rescaled: the best that fits is 100.
    smartest = max(full["rows"], key=lambda r: r["quality_raw"] or 0)
    assert smartest["model"] in over
    best_fit = max(fit["rows"], key=lambda r: r["quality_raw"] or 0)
    before = next(r for r in full["rows"] if r["model"] == best_fit["model"])
    assert best_fit["Q"] == 100
    assert before["Q"] is not None
    assert before["Q"] < 100


def test_unknown_vram_is_kept_and_counted(store: Store) -> None:
    views = store.builds("v2")
    big = max(views, key=lambda v: v.build.vram_gb or 0)
    unknown = dataclasses.replace(big, build=dataclasses.replace(big.build, vram_gb=None))
    views = [unknown if v is big else v for v in views]
    data = leaderboard_json(leaderboard(views, CAT, max_vram_gb=BUDGET, suite="v2"))
    row = next(r for r in data["rows"] if r["model"] == big.build.id)
    assert "no-vram" in row["flags"]
    assert data["unknown_vram_kept"] == 1


def test_a_budget_within_a_bucket_counts_only_that_bucket(store: Store) -> None:
    small = leaderboard_json(board(store, CAT, bucket="small", max_vram_gb=1.0))
    everything = leaderboard_json(board(store, CAT, bucket="small"))
    over = [r for r in everything["rows"] if r["vram_gb"] is not None and r["vram_gb"] > 1.0]
    assert small["hidden_over_budget"] == len(over)
    assert len(small["rows"]) == len(everything["rows"]) - len(over)


@pytest.mark.parametrize("bad", [0.0, -4.0, float("nan")])
def test_a_budget_must_be_above_zero(store: Store, bad: float) -> None:
    with pytest.raises(ArenaError, match="expected a number of GB above 0"):
        board(store, CAT, max_vram_gb=bad)


def test_roofline_of_the_nemotron_super_nvfp4_build(store: Store) -> None:
    d = detail(store, CAT, "nemotron-3-super-120b-a12b-nvfp4", suite="v2")
    assert d is not None
    spark = CAT.hardware["dgx-spark"]
    # 273 GB/s over 12 B active params x 0.5625 bytes (NVFP4) = 40.44 tok/s per user at most.
    assert d["params_active_b"] == 12.0
    assert bytes_per_param()["nvfp4"] == 0.5625
    bound = bound_tps(spark.memory_bandwidth_gbs, 12.0, 0.5625)
    assert bound == pytest.approx(40.444, abs=1e-3)
    chat = d["benches"]["chat"]
    assert chat is not None
    assert chat["roofline"] is not None
    c1 = max(r["tg_tps_req"] for r in chat["rows"] if r["concurrency"] == 1)  # type: ignore[type-var]
    assert chat["roofline"]["fraction"] == round(float(c1) / bound, 4)  # type: ignore[arg-type]
    assert "c = 1" in chat["roofline"]["note"]
    assert "KV-cache" in chat["roofline"]["note"]
    for bench_id, b in d["benches"].items():
        mode = CAT.benches[bench_id].mode
        assert b is None or (b["roofline"] is None) == (mode != "closed"), bench_id


def test_a_fraction_above_one_says_why() -> None:
    bench = CAT.benches["chat"]
    rows = [{"concurrency": 1, "tg_tps_req": 50.0}, {"concurrency": 5, "tg_tps_req": 400.0}]
    got = roofline(bench, rows, 400.0, 12.0, 0.5625, CAT.hardware["dgx-spark"])
    assert got is not None
    assert got["fraction"] == round(50.0 / (273 / 6.75), 4)
    assert got["note"].startswith(ABOVE)
    none_at_c1 = roofline(bench, rows[1:], 30.0, 12.0, 0.5625, CAT.hardware["dgx-spark"])
    assert none_at_c1 is not None
    assert "reference point" in none_at_c1["note"]
    assert none_at_c1["fraction"] == round(30.0 / (273 / 6.75), 4)
    assert roofline(bench, rows, 30.0, None, 0.5625, CAT.hardware["dgx-spark"]) is None
    assert roofline(bench, rows, 30.0, 12.0, 0.5625, None) is None
