"""Which benches `arena bench` runs for each suite, and what it refuses to run."""

from __future__ import annotations

import pytest

from arena.bench import select_benches
from arena.catalog import load_catalog
from arena.errors import ArenaError


def test_all_is_suite_v2_by_default_in_its_own_order() -> None:
    cat = load_catalog()
    ids = [b.id for b in select_benches("all", None, "full", None)]
    assert ids == list(cat.suites["v2"].bench_ids)
    assert len(ids) == 11
    assert ids[5:] == [
        "concurrency-stress",
        "office-baseline",
        "sharegpt",
        "reasoning",
        "monday-peak",
        "rate-sweep",
    ]


def test_suite_v1_keeps_its_nine_benches_without_the_v2_additions() -> None:
    cat = load_catalog()
    ids = [b.id for b in select_benches("all", None, "full", None, "v1")]
    assert ids == list(cat.suites["v1"].bench_ids)
    assert len(ids) == 9
    assert "concurrency-stress" not in ids
    assert "rate-sweep" not in ids


def test_an_unknown_suite_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(ArenaError, match=r"^--suite 'v9': unknown suite; expected one of v1, v2$"):
        select_benches("all", None, "full", None, "v9")


def test_concurrency_stress_runs_when_named() -> None:
    (bench,) = select_benches("concurrency-stress", None, "full", None)
    assert (bench.prompt_tokens, bench.output_tokens, bench.concurrency) == ((25000,), 256, (20,))


def test_a_rate_sweep_is_measurable_by_name_in_either_suite() -> None:
    chat, sweep = select_benches("chat,rate-sweep", None, "full", None, "v1")
    assert (chat.mode, sweep.mode) == ("closed", "sweep")
    assert sweep.request_rates == (0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
