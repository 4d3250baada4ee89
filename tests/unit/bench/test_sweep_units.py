"""The sweep's pure parts: capacity rule, step sizes against suite v2's files, catalog checks,
profiles, and the record built from steps."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from arena.bench.benchfile import load_bench_file
from arena.bench.profiles import apply_profile, spread
from arena.bench.sweep import STEP_KEYS, SweepOutcome, step_bench, step_prompts, sweep_record
from arena.capacity import capacity
from arena.catalog import load_catalog
from arena.catalog.loader import parse_bench
from arena.errors import ArenaError
from arena.records import Provenance
from tests.unit.importers.paths import V2_RESULTS, needs_v2

CAT = load_catalog(Path("/nonexistent/config.toml"))
SWEEP = CAT.benches["rate-sweep"]


def step(rate: float, p95: float | None, completed: int = 10, total: int = 10) -> dict:  # type: ignore[type-arg]
    return {
        "offered_rps": rate,
        "achieved_rps": rate * 0.9,
        "completed": completed,
        "total": total,
        "ttft_p50_ms": None if p95 is None else p95 / 2,
        "ttft_p95_ms": p95,
        "ttft_p99_ms": None if p95 is None else p95 * 1.1,
        "output_tps": rate * 100,
        "peak_concurrency": 3,
    }


def test_capacity_is_the_highest_rate_under_each_limit() -> None:
    steps = [step(0.5, 900.0), step(1.0, 4000.0), step(2.0, 3000.0), step(3.0, 9000.0)]
    cap = capacity(steps, (1000, 5000, 10000))
    assert [c["offered_rps"] for c in cap] == [0.5, 2.0, 3.0]
    assert [c["achieved_rps"] for c in cap] == [0.45, 1.8, 2.7]
    assert cap[1]["ttft_p95_ms"] == 3000.0
    assert all(c["met"] for c in cap)


def test_a_limit_no_step_meets_says_so() -> None:
    (cap,) = capacity([step(0.1, 2300.0)], (2000,))
    assert cap == {
        "ttft_p95_limit_ms": 2000,
        "offered_rps": None,
        "achieved_rps": None,
        "ttft_p95_ms": None,
        "output_tps": None,
        "met": False,
        "note": "no step has p95 TTFT under 2 s",
    }


def test_a_step_with_over_ten_percent_failed_does_not_count() -> None:
    # 8 of 10 answered quickly, 2 failed: its p95 speaks for the survivors only
    steps = [step(0.5, 900.0), step(1.0, 800.0, completed=8), step(2.0, 950.0, completed=9)]
    (cap,) = capacity(steps, (1000,))
    assert cap["offered_rps"] == 2.0
    (cap,) = capacity(steps[:2], (1000,))
    assert cap["offered_rps"] == 0.5


@needs_v2
def test_step_sizes_match_every_per_rate_file_of_suite_v2() -> None:
    seen = 0
    for path in V2_RESULTS.glob("*/*/*/11-rate-sweep-*.json"):
        data = json.loads(path.read_text("utf-8"))
        rate = float(re.search(r"-([\d.]+)\.json$", path.name).group(1))  # type: ignore[union-attr]
        assert data["request_rate"] == rate
        assert rate in SWEEP.request_rates
        assert step_prompts(SWEEP, rate) == data["num_prompts"], path
        assert (data["burstiness"], data["max_concurrency"]) == (SWEEP.burstiness, None)
        seen += 1
    assert seen > 100
    assert [step_prompts(SWEEP, r) for r in SWEEP.request_rates] == [100, 100, 100, 125, 175, 250]


def test_a_step_is_the_open_loop_bench_at_one_rate() -> None:
    one = step_bench(SWEEP, 0.5)
    assert (one.mode, one.request_rate, one.num_prompts) == ("open", 0.5, 125)
    assert (one.prompt_tokens, one.output_tokens, one.range_ratio) == ((4000,), 500, 0.9)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"request_rates": [0.5, 0.2]},
            r"field 'request_rates' = \[0.5, 0.2\]; expected a "
            r"non-empty list of positive numbers in rising order",
        ),
        ({"request_rates": [], "step_seconds": 5}, r"field 'request_rates' = \[\]"),
        ({"step_seconds": None}, r"sweep bench needs 'step_seconds'"),
        ({"request_rate": 1.0}, r"field 'request_rate' does not apply to mode 'sweep'"),
        ({"num_prompts": 9}, r"field 'num_prompts' does not apply to mode 'sweep'"),
        ({"stop_factor": 0.5}, r"field 'stop_factor' = 0.5; expected a number >= 1"),
        ({"ttft_p95_limits_ms": [5000, 2000]}, r"field 'ttft_p95_limits_ms' = \[5000, 2000\]"),
        ({"prompt_tokens": None}, r"sweep bench on random data needs 'prompt_tokens'"),
    ],
)
def test_bad_sweep_fields_are_one_line_each(extra: dict, message: str) -> None:  # type: ignore[type-arg]
    raw = {
        "id": "s",
        "title": "S",
        "mode": "sweep",
        "prompt_tokens": [64],
        "output_tokens": 16,
        "request_rates": [1, 2],
        "step_seconds": 5,
        **extra,
    }
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(ArenaError, match=rf"^f: bench\[0\] \(s\): {message}"):
        parse_bench("f: bench[0]", raw)


def test_sweep_fields_are_refused_on_other_modes() -> None:
    raw = {"id": "o", "title": "O", "mode": "open", "prompt_tokens": [8], "output_tokens": 4,
           "request_rate": 1, "request_rates": [1, 2]}  # fmt: skip
    with pytest.raises(ArenaError, match=r"field 'request_rates' does not apply to mode 'open'"):
        parse_bench("f", raw)


def test_bench_file_takes_a_sweep_with_every_field(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(
        "- id: my-sweep\n  title: Mine\n  mode: sweep\n  prompt_tokens: [256]\n"
        "  output_tokens: 64\n  range_ratio: 0.5\n  request_rates: [1, 2.5, 4]\n"
        "  step_seconds: 20\n  min_step_prompts: 5\n  burstiness: 0.7\n"
        "  ttft_p95_limits_ms: [500, 1000]\n  stop_factor: 2\n  max_concurrency: 8\n"
        "  dataset: random\n  seed: 7\n"
    )
    (b,) = load_bench_file(f)
    assert (b.request_rates, b.step_seconds, b.min_step_prompts) == ((1, 2.5, 4), 20, 5)
    assert (b.ttft_p95_limits_ms, b.stop_factor, b.max_concurrency) == ((500, 1000), 2, 8)
    assert [step_prompts(b, r) for r in b.request_rates] == [20, 50, 80]
    default = parse_bench(
        "f",
        {"id": "d", "title": "D", "mode": "sweep", "prompt_tokens": [8], "output_tokens": 4,
         "request_rates": [1], "step_seconds": 1},
    )  # fmt: skip
    assert default.ttft_p95_limits_ms == (2000, 5000, 10000)


def test_profiles_keep_fewer_shorter_steps() -> None:
    assert spread((1, 2, 3, 4, 5, 6), 3) == (1, 3, 6)
    assert spread((1, 2, 3, 4, 5, 6), 4) == (1, 3, 4, 6)
    assert spread((1, 2), 5) == (1, 2)
    assert apply_profile(SWEEP, "full") == SWEEP
    quick = apply_profile(SWEEP, "quick")
    assert quick.request_rates == (0.1, 0.3, 0.5, 1.0)
    assert [step_prompts(quick, r) for r in quick.request_rates] == [10, 18, 30, 60]
    smoke = apply_profile(SWEEP, "smoke")
    assert smoke.request_rates == (2.0, 6.0, 20.0)
    assert (smoke.prompt_tokens, smoke.output_tokens) == ((48,), 12)


def test_record_keeps_steps_and_capacity_and_no_per_user_rate() -> None:
    out = SweepOutcome(steps=[step(0.5, 900.0), step(1.0, 4000.0), step(3.0, 8000.0, 9, 10)])
    bench = parse_bench("f", {"id": "s", "title": "S", "mode": "sweep", "prompt_tokens": [8],
                              "output_tokens": 4, "request_rates": [0.5, 1, 3],
                              "step_seconds": 10, "ttft_p95_limits_ms": [1000, 5000]})  # fmt: skip
    rec = sweep_record(bench, out, Provenance("arena"), [], {"seed": 1})
    assert all(tuple(s) == STEP_KEYS for s in rec.distribution["steps"])
    assert [c["offered_rps"] for c in rec.distribution["capacity"]] == [0.5, 1.0]
    assert rec.tps_per_user is None
    assert (rec.tps_total, rec.ttft_p95_ms, rec.ttft_p50_ms) == (100.0, 4000.0, 2000.0)
    assert (rec.completed, rec.failed) == (29, 1)
    missed = sweep_record(bench, SweepOutcome(steps=[step(0.5, 7000.0)]), Provenance("a"), [], {})
    assert missed.tps_total is None
    assert "no step had p95 TTFT under 5 s: no tok/s or TTFT given" in missed.notes
