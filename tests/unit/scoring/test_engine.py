"""Golden tests, one per rule of the seed's scoring method."""

from __future__ import annotations

import pytest

from arena.catalog.types import Bucket, Preset, Weights
from arena.errors import ArenaError
from arena.scoring import Candidate, cohort, make_weights, order, rank
from arena.scoring.engine import weighted

ALL = Bucket("all", "All")
SMALL = Bucket("small", "Small", max_b=8)
AGG = Preset("aggregate", "Aggregate", 0.7, 0.2, 0.1, ("a", "b", "c"), "a")
ONE = Preset("chat", "Chat", 0.6, 0.3, 0.1, ("a",), "a")


def cand(
    cid: str,
    q: dict[str, float] | None = None,
    tps: dict[str, float] | None = None,
    vram: float | None = 10.0,
    params: float | None = 4.0,
) -> Candidate:
    """A candidate with defaults that keep each test about one rule."""
    return Candidate(cid, cid.upper(), "bf16", params, vram, q or {}, tps or {}, {})


def row(ranking_rows: list, model: str):  # type: ignore[no-untyped-def]
    """The row of one build."""
    return next(r for r in ranking_rows if r.model == model)


def test_seed_worked_example_aggregate() -> None:
    assert round(weighted(99, 48, 22, Weights(0.7, 0.2, 0.1)), 1) == 81.1


def test_quality_is_mean_of_available_metrics_missing_left_out() -> None:
    r = rank([cand("x", {"mmlu_pro": 60, "gpqa_diamond": 40})], ONE, ALL).rows[0]
    assert r.quality_raw == 50
    assert r.quality_parts == {"mmlu_pro": 60, "gpqa_diamond": 40}


def test_humaneval_preferred_over_livecodebench_as_the_coding_part() -> None:
    q = {"mmlu_pro": 60, "gpqa_diamond": 40, "humaneval": 80, "livecodebench": 20}
    r = rank([cand("x", q)], ONE, ALL).rows[0]
    assert r.quality_raw == 60
    q.pop("humaneval")
    assert rank([cand("x", q)], ONE, ALL).rows[0].quality_raw == 40


def test_no_quality_counts_zero_and_is_flagged() -> None:
    rows = rank([cand("x", {}, {"a": 10}), cand("y", {"mmlu_pro": 50}, {"a": 10})], ONE, ALL).rows
    x = row(rows, "x")
    assert x.quality_raw == 0
    assert x.Q == 0
    assert "no-quality" in x.flags


def test_dimensions_are_percent_of_cohort_peak() -> None:
    rows = rank(
        [
            cand("x", {"mmlu_pro": 80}, {"a": 50}, vram=10),
            cand("y", {"mmlu_pro": 40}, {"a": 100}, vram=40),
        ],
        ONE,
        ALL,
    ).rows
    x, y = row(rows, "x"), row(rows, "y")
    assert (x.Q, y.Q) == (100, 50)
    assert (x.G, y.G) == (50, 100)
    assert x.efficiency_raw == 5
    assert y.efficiency_raw == 2.5
    assert (x.E, y.E) == (100, 50)
    assert x.score == pytest.approx(0.6 * 100 + 0.3 * 50 + 0.1 * 100)


def test_peak_zero_gives_zero_not_division_error() -> None:
    r = rank([cand("x", {}, {})], ONE, ALL).rows[0]
    assert (r.Q, r.G, r.E, r.score) == (0, 0, 0, 0)


def test_aggregate_is_mean_over_benches_missing_counts_zero() -> None:
    rows = rank(
        [cand("x", {"mmlu_pro": 50}, {"a": 30, "b": 60}), cand("y", {"mmlu_pro": 50}, {})],
        AGG,
        ALL,
    ).rows
    x, y = row(rows, "x"), row(rows, "y")
    assert x.throughput_tps == 30  # (30 + 60 + 0) / 3
    assert (x.benches_measured, x.benches_total) == (2, 3)
    assert "partial-benches" in x.flags
    assert y.throughput_tps == 0
    assert "no-measurement" in y.flags
    assert y.rank == 2  # stays visible, at the bottom


def test_unknown_vram_gives_zero_efficiency_flagged() -> None:
    r = rank([cand("x", {"mmlu_pro": 50}, {"a": 10}, vram=None)], ONE, ALL).rows[0]
    assert r.efficiency_raw == 0
    assert "no-vram" in r.flags


def test_norm_and_tier_thresholds() -> None:
    # Q only (weights 1/0/0) so scores equal quality: 0, 25, 50, 75, 76, 100.
    preset = Preset("q", "Q", 1.0, 0.0, 0.0, ("a",), "a")
    qs = {"a": 0, "b": 25, "c": 50, "d": 75, "e": 76, "f": 100}
    rows = rank([cand(k, {"mmlu_pro": v}) for k, v in qs.items()], preset, ALL).rows
    tiers = {r.model: (round(r.norm, 2), r.tier) for r in rows}
    assert tiers == {
        "f": (1.0, "top"),
        "e": (0.76, "top"),
        "d": (0.75, "middle"),
        "c": (0.5, "middle"),
        "b": (0.25, "middle"),
        "a": (0.0, "bottom"),
    }
    assert "leader" in row(rows, "f").flags
    assert "tail" in row(rows, "a").flags


def test_single_row_and_all_equal_have_norm_one() -> None:
    assert rank([cand("x", {"mmlu_pro": 5})], ONE, ALL).rows[0].norm == 1.0
    rows = rank([cand("x", {"mmlu_pro": 5}), cand("y", {"mmlu_pro": 5})], ONE, ALL).rows
    assert [r.norm for r in rows] == [1.0, 1.0]
    assert [r.tier for r in rows] == ["top", "top"]


def test_pareto_dominance_and_frontier_order() -> None:
    rows_in = [
        cand("fast", {"mmlu_pro": 30}, {"a": 100}),
        cand("smart", {"mmlu_pro": 90}, {"a": 10}),
        cand("mid", {"mmlu_pro": 60}, {"a": 50}),
        cand("worse", {"mmlu_pro": 55}, {"a": 40}),  # dominated by mid
        cand("tie", {"mmlu_pro": 60}, {"a": 50}),  # equal to mid: neither dominates
        cand("edge", {"mmlu_pro": 60}, {"a": 45}),  # equal Q, lower G than mid: dominated
    ]
    ranking = rank(rows_in, ONE, ALL)
    front = {r.model for r in ranking.rows if r.pareto}
    assert front == {"fast", "smart", "mid", "tie"}
    assert ranking.frontier[0] == "smart"
    assert ranking.frontier[-1] == "fast"


def test_ties_broken_by_throughput_then_id() -> None:
    preset = Preset("q", "Q", 1.0, 0.0, 0.0, ("a",), "a")
    rows = rank(
        [
            cand("b", {"mmlu_pro": 50}, {"a": 10}),
            cand("a", {"mmlu_pro": 50}, {"a": 10}),
            cand("c", {"mmlu_pro": 50}, {"a": 20}),
        ],
        preset,
        ALL,
    ).rows
    assert [r.model for r in rows] == ["c", "a", "b"]


def test_bucket_is_the_cohort_and_renormalises() -> None:
    cands = [
        cand("big", {"mmlu_pro": 90}, {"a": 100}, params=70),
        cand("tiny", {"mmlu_pro": 30}, {"a": 50}, params=1),
        cand("unknown", {"mmlu_pro": 30}, {"a": 50}, params=None),
    ]
    small = rank(cands, ONE, SMALL).rows
    assert [r.model for r in small] == ["tiny"]
    assert small[0].Q == 100
    assert small[0].G == 100
    assert len(rank(cands, ONE, ALL).rows) == 3


def test_custom_weights_override_preset() -> None:
    cands = [cand("q", {"mmlu_pro": 90}, {"a": 10}), cand("g", {"mmlu_pro": 10}, {"a": 90})]
    assert rank(cands, ONE, ALL).rows[0].model == "q"
    ranking = rank(cands, ONE, ALL, weights=make_weights(0, 100, 0))
    assert ranking.rows[0].model == "g"
    assert ranking.weights == Weights(0.0, 1.0, 0.0)


@pytest.mark.parametrize("parts", [(0.5, 0.5, 0.5), (-10, 60, 50), (float("nan"), 0.5, 0.5)])
def test_bad_weights_rejected(parts: tuple[float, float, float]) -> None:
    with pytest.raises(ArenaError, match="weights"):
        make_weights(*parts)


def test_percent_and_fraction_weights_agree() -> None:
    assert make_weights(60, 30, 10) == make_weights(0.6, 0.3, 0.1)


def test_unmeasured_build_is_never_on_the_frontier() -> None:
    rows = rank(
        [cand("smart-unmeasured", {"mmlu_pro": 95}, {}), cand("fast", {"mmlu_pro": 40}, {"a": 50})],
        ONE,
        ALL,
    ).rows
    assert not row(rows, "smart-unmeasured").pareto
    assert "no-measurement" in row(rows, "smart-unmeasured").flags
    assert row(rows, "fast").pareto


def test_fast_dominance_matches_the_definition() -> None:
    """dominated_all agrees with the pairwise definition on random points with many ties."""
    import random

    from arena.scoring.engine import dominated_all

    def dominated(i: int, pts: list[tuple[float, float]]) -> bool:
        qi, gi = pts[i]
        return any(
            j != i and qj >= qi and gj >= gi and (qj > qi or gj > gi)
            for j, (qj, gj) in enumerate(pts)
        )

    rng = random.Random(7)
    for _ in range(200):
        pts = [
            (float(rng.randint(0, 5)), float(rng.randint(0, 5))) for _ in range(rng.randint(1, 12))
        ]
        assert dominated_all(pts) == [dominated(i, pts) for i in range(len(pts))]


def test_one_cohort_reweighted_matches_a_fresh_ranking_and_stays_unchanged() -> None:
    cands = [
        cand("fast", {"mmlu_pro": 40}, {"a": 90, "b": 80, "c": 70}, vram=40),
        cand("smart", {"mmlu_pro": 90}, {"a": 10, "b": 12}, vram=20),
        cand("lean", {"mmlu_pro": 60}, {"a": 30, "b": 30, "c": 30}, vram=4),
        cand("idle", {"mmlu_pro": 70}, {}, vram=8),
    ]
    base = cohort(cands, AGG, ALL)
    before = [(r.model, r.rank, r.score, r.flags) for r in base.rows]
    for w in (None, make_weights(0, 100, 0), make_weights(0, 0, 100), make_weights(50, 25, 25)):
        assert order(base, w) == rank(cands, AGG, ALL, weights=w)
    assert [(r.model, r.rank, r.score, r.flags) for r in base.rows] == before
    assert order(base, make_weights(0, 100, 0)).rows[0].model == "fast"
    assert order(base, make_weights(0, 0, 100)).rows[0].model == "lean"
    assert order(base, make_weights(100, 0, 0)).rows[0].model == "smart"


def test_unmeasured_builds_rank_below_every_measured_one_with_their_formula_score() -> None:
    rows = rank(
        [
            cand("smart-unmeasured", {"mmlu_pro": 95}, {}),
            cand("weak-fast", {"mmlu_pro": 10}, {"a": 50}),
            cand("mid-unmeasured", {"mmlu_pro": 60}, {}),
        ],
        ONE,
        ALL,
    ).rows
    assert [r.model for r in rows] == ["weak-fast", "smart-unmeasured", "mid-unmeasured"]
    smart = row(rows, "smart-unmeasured")
    assert smart.score == pytest.approx(0.6 * 100)  # Q = 100, G = E = 0
    assert smart.score > rows[0].score  # the score is unchanged; only the order drops it
    assert rows[0].flags[0] == "leader"
    assert rows[-1].flags[0] == "tail"


def test_a_flagged_bench_marks_the_row_only_where_the_preset_counts_it() -> None:
    flaky = Candidate(
        "x", "X", "bf16", 4.0, 10.0, {"mmlu_pro": 50}, {"a": 10, "b": 10}, {},
        verdicts={"b": ("unreliable",)},
    )  # fmt: skip
    assert "unreliable" not in rank([flaky], ONE, ALL).rows[0].flags  # chat counts only "a"
    assert "unreliable" in rank([flaky], AGG, ALL).rows[0].flags
    assert "suspect" not in rank([flaky], AGG, ALL).rows[0].flags


TEAM = Preset("team", "Team", 0.3, 0.6, 0.1, ("sweep",), "sweep", measure="capacity_rps_5s")


def test_a_capacity_preset_ranks_by_that_measure_not_tok_s() -> None:
    fast = Candidate("fast", "F", "bf16", 4.0, 10.0, tps={"sweep": 900.0}, measures={})
    busy = Candidate("busy", "B", "bf16", 4.0, 20.0, tps={}, measures={"capacity_rps_5s": 1.0})
    rows = rank([fast, busy], TEAM, ALL).rows
    assert [r.model for r in rows] == ["busy", "fast"]
    assert row(rows, "busy").throughput_tps == 1.0
    assert row(rows, "busy").efficiency_raw == pytest.approx(1.0 / 20.0)
    assert "no-measurement" in row(rows, "fast").flags


def test_a_preset_within_a_suite_keeps_only_that_suites_benches() -> None:
    p = Preset("aggregate", "Aggregate", 0.7, 0.2, 0.1, ("a", "stress", "b"), "stress")
    inside = p.within({"a", "b"})
    assert inside.benches == ("a", "b")
    assert inside.ttft_bench == "a"
    r = rank([cand("x", tps={"a": 10.0, "b": 20.0})], inside, ALL).rows[0]
    assert r.throughput_tps == 15.0
    assert r.benches_total == 2


def test_a_preset_with_no_bench_in_the_suite_ranks_nothing_as_measured() -> None:
    none = TEAM.within({"a"})
    assert none.benches == ()
    r = rank([cand("x", tps={"a": 10.0})], none, ALL).rows[0]
    assert r.throughput_tps == 0.0
    assert "no-measurement" in r.flags
