"""Which benches `arena bench` runs by default, and what it refuses to run."""

from __future__ import annotations

import pytest

from arena.bench import select_benches
from arena.catalog import load_catalog
from arena.errors import ArenaError


def test_all_is_the_suite_v1_benches_in_catalog_order() -> None:
    cat = load_catalog()
    ids = [b.id for b in select_benches("all", None, "full", None)]
    assert set(ids) == set(cat.suites["v1"].bench_ids)
    assert ids == [b for b in cat.benches if b in ids]
    assert "concurrency-stress" not in ids


def test_concurrency_stress_runs_when_named() -> None:
    (bench,) = select_benches("concurrency-stress", None, "full", None)
    assert (bench.prompt_tokens, bench.output_tokens, bench.concurrency) == ((25000,), 256, (20,))


def test_a_rate_sweep_is_refused_with_what_to_do_instead() -> None:
    with pytest.raises(ArenaError, match=r"'rate-sweep' is a rate sweep.*arena import suite"):
        select_benches("chat,rate-sweep", None, "full", None)
