"""Open-loop arrivals, length distributions, profiles and bench files (no network)."""

from __future__ import annotations

import itertools
import random
import statistics
from pathlib import Path

import pytest

from arena.bench.benchfile import load_bench_file
from arena.bench.open import (
    OpenOptions,
    arrival_offsets,
    clamp_lengths,
    is_valid_sequence,
    random_lengths,
    synthetic_sharegpt,
)
from arena.bench.profiles import apply_profile, job_caps
from arena.bench.sweep import step_prompts
from arena.catalog import load_catalog
from arena.catalog.types import Bench
from arena.errors import ArenaError

CAT = load_catalog(Path("/nonexistent/config.toml"))


def gaps(rate: float, burst: float, n: int = 20000, seed: int = 1) -> list[float]:
    """Inter-arrival gaps of a plan."""
    offs = arrival_offsets(n, rate, burst, random.Random(seed))
    return [b - a for a, b in itertools.pairwise(offs)]


@pytest.mark.parametrize(("rate", "burst"), [(0.3, 0.7), (1.5, 1.0), (0.2, 1.0), (5.0, 3.0)])
def test_gamma_gaps_have_mean_one_over_rate_and_cv_by_burstiness(rate: float, burst: float) -> None:
    g = gaps(rate, burst)
    assert statistics.fmean(g) == pytest.approx(1 / rate, rel=0.03)
    cv = statistics.pstdev(g) / statistics.fmean(g)
    assert cv == pytest.approx(1 / burst**0.5, rel=0.05)  # gamma: CV = 1/sqrt(shape)


def test_arrivals_are_seeded_and_the_first_request_waits_one_gap() -> None:
    a = arrival_offsets(50, 0.3, 0.7, random.Random(42))
    assert a == arrival_offsets(50, 0.3, 0.7, random.Random(42))
    assert a[0] > 0  # vllm's get_request: the first delay is a gamma draw too
    assert a == sorted(a)
    assert arrival_offsets(3, float("inf"), 1.0, random.Random(0)) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(("n", "rate", "burst"), [(200, 0.3, 0.7), (50, 0.2, 1.0), (4, 20.0, 1.0)])
def test_schedule_spans_exactly_n_over_rate(n: int, rate: float, burst: float) -> None:
    """vllm rescales the cumulative delays so the last request goes out at n / rate."""
    for seed in range(5):
        a = arrival_offsets(n, rate, burst, random.Random(seed))
        assert a[-1] == pytest.approx(n / rate, rel=1e-12)


def test_rescaling_keeps_the_drawn_proportions() -> None:
    rng, n, rate, burst = random.Random(7), 20, 0.5, 0.7
    draws = [rng.gammavariate(burst, 1 / (rate * burst)) for _ in range(n)]
    raw = list(itertools.accumulate(draws))
    a = arrival_offsets(n, rate, burst, random.Random(7))
    factor = (n / rate) / raw[-1]
    assert a == pytest.approx([x * factor for x in raw], rel=1e-12)


def test_infinite_burstiness_is_a_constant_gap() -> None:
    a = arrival_offsets(4, 2.0, float("inf"), random.Random(0))
    assert a == pytest.approx([0.5, 1.0, 1.5, 2.0])


@pytest.mark.parametrize(
    ("prompt", "output", "ok"),
    [
        (4, 4, True),
        (3, 100, False),  # prompt < 4
        (100, 3, False),  # answer < 4
        (1024, 1024, True),
        (1025, 10, False),  # prompt > 1024
        (1000, 1049, False),  # prompt + answer > 2048
    ],
)
def test_sharegpt_filter_is_vllms(prompt: int, output: int, ok: bool) -> None:
    assert is_valid_sequence(prompt, output) is ok


def test_sharegpt_filter_prompt_cap_of_a_profile() -> None:
    assert not is_valid_sequence(49, 10, max_prompt_len=48)
    assert is_valid_sequence(48, 10, max_prompt_len=48)


def test_smoke_caps_every_open_loop_request() -> None:
    cap_in, cap_out = job_caps("smoke")
    assert (cap_in, cap_out) == (48, 12)
    assert job_caps("full") == (None, None)
    opts = OpenOptions(max_prompt_tokens=cap_in, max_output_tokens=cap_out)
    for bench in CAT.benches.values():
        if bench.mode != "open":
            continue
        s = apply_profile(bench, "smoke")
        rng = random.Random(0)
        n = s.num_prompts or 1
        raw = synthetic_sharegpt(n, rng) if s.dataset == "sharegpt" else random_lengths(s, rng)
        capped = clamp_lengths(raw, opts)
        assert max(i for i, _ in capped) <= 48
        assert max(o for _, o in capped) <= 12


def test_random_lengths_respect_range_ratio() -> None:
    bench = CAT.benches["office-baseline"]
    lengths = random_lengths(bench, random.Random(0))
    assert len(lengths) == 200
    # vllm's log for this bench: "Sampling input_len from [399, 7600] and output_len from [49, 950]"
    assert min(i for i, _ in lengths) >= 399
    assert max(i for i, _ in lengths) <= 7600
    assert min(o for _, o in lengths) >= 49
    assert max(o for _, o in lengths) <= 950


def test_synthetic_sharegpt_passes_vllms_filter_and_is_seeded() -> None:
    a = synthetic_sharegpt(500, random.Random(3))
    assert a == synthetic_sharegpt(500, random.Random(3))
    assert all(is_valid_sequence(i, o) for i, o in a)
    assert 150 < statistics.median(i for i, _ in a) < 300


def test_full_profile_is_the_suite_exactly() -> None:
    for bench in CAT.benches.values():
        assert apply_profile(bench, "full") == bench


def test_smoke_profile_is_tiny_and_keeps_a_valid_reference() -> None:
    for bench in CAT.benches.values():
        s = apply_profile(bench, "smoke")
        assert s.runs == 1
        if s.mode == "closed":
            assert max(s.prompt_tokens) <= 48
            assert s.output_tokens <= 12
            assert s.reference_concurrency in s.concurrency
            assert max(s.concurrency) <= 2
        elif s.mode == "sweep":  # three short steps: a second or two against a fast server
            assert len(s.request_rates) == 3
            assert max(s.prompt_tokens) <= 48
            assert s.output_tokens <= 12
            assert sum(step_prompts(s, r) / r for r in s.request_rates) <= 2
        else:
            assert s.num_prompts == 4
    big = apply_profile(CAT.benches["big-context"], "smoke")
    assert big.reference_prompt_tokens in big.prompt_tokens


def test_quick_profile_scales_prompts() -> None:
    q = apply_profile(CAT.benches["monday-peak"], "quick")
    assert (q.num_prompts, q.max_concurrency, q.request_rate) == (60, 25, 1.5)
    with pytest.raises(ArenaError, match="--profile 'huge'"):
        apply_profile(q, "huge")


def test_bench_file_custom_benches(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(
        "- id: tiny-chat\n  title: Tiny chat\n  mode: closed\n  prompt_tokens: [32]\n"
        "  output_tokens: 8\n  concurrency: [1, 2]\n"
        "- id: trickle\n  title: Trickle\n  mode: open\n  output_tokens: 8\n"
        "  prompt_tokens: [16]\n  request_rate: 2.0\n  num_prompts: 3\n"
    )
    a, b = load_bench_file(f)
    assert (a.id, a.reference_concurrency, a.runs, a.seed) == ("tiny-chat", 2, 3, 42)
    assert (b.mode, b.burstiness, b.dataset) == ("open", 1.0, "random")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("- id: x\n  title: X\n  mode: sideways\n  output_tokens: 1\n", "field 'mode'"),
        ("- id: x\n  title: X\n  mode: open\n  output_tokens: 1\n", "needs 'request_rate'"),
        ("id: x\n", "expected a YAML list"),
        ("- [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_bench_file_one_line(tmp_path: Path, text: str, needle: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ArenaError, match=needle) as info:
        load_bench_file(f)
    assert str(f) in str(info.value)
    assert "\n" not in str(info.value)


def test_full_profile_leaves_every_bench_as_defined() -> None:
    for bench in load_catalog().benches.values():
        assert apply_profile(bench, "full") == bench
    sharegpt = Bench("sg", "SG", "open", (), 0, request_rate=1.0, dataset="sharegpt")
    assert apply_profile(sharegpt, "full").num_prompts is None  # not set to 1 behind its back
