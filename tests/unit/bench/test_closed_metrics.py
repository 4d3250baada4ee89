"""Closed-loop statistics as llama-benchy computes them, and the sanity check (no network)."""

from __future__ import annotations

import pytest

from arena.bench.closed import Point, peak_rate, point_row, prefill_end
from arena.bench.http import RequestResult
from arena.bench.prompts import PromptMaker
from arena.sanity_rule import suspect_reason


def req(
    t_send: float,
    t_first_any: float,
    chunk_times: list[float],
    tokens: int | None = None,
    prompt_tokens: int | None = None,
) -> RequestResult:
    """A finished request whose content chunks arrived at `chunk_times`."""
    n = len(chunk_times) if tokens is None else tokens
    return RequestResult(
        ok=True,
        t_send=t_send,
        t_first_any=t_first_any,
        t_first=chunk_times[0],
        t_last=chunk_times[-1],
        t_done=chunk_times[-1],
        content_times=list(chunk_times),
        content_chars=[3] * len(chunk_times),
        output_tokens=n,
        token_source="usage" if tokens is not None else "chunks",
        prompt_tokens=prompt_tokens,
    )


def test_peak_counts_tokens_in_a_one_second_window() -> None:
    # 10 tokens/s for 3 s, then 50 tokens within 0.5 s: the densest 1 s window holds 50 + 5
    slow = [i * 0.1 for i in range(30)]
    burst = [3.0 + i * 0.01 for i in range(50)]
    assert peak_rate(slow + burst) == pytest.approx(55.0)


def test_peak_of_a_stream_shorter_than_the_window_is_n_over_duration() -> None:
    assert peak_rate([0.0, 0.1, 0.2, 0.3, 0.4]) == pytest.approx(5 / 0.4)


def test_peak_without_an_observable_interval_is_zero() -> None:
    assert peak_rate([1.0]) == 0.0
    assert peak_rate([2.0, 2.0, 2.0]) == 0.0
    assert peak_rate([]) == 0.0


def test_multi_token_chunks_are_spread_over_chunk_times() -> None:
    # 3 chunks carrying 12 tokens (usage): 4 per chunk, spread back to the previous chunk
    r = req(0.0, 0.01, [0.1, 0.2, 0.3], tokens=12)
    times = r.token_times()
    assert len(times) == 12
    assert times[:4] == [0.1] * 4
    assert times[4:8] == pytest.approx([0.125, 0.15, 0.175, 0.2])
    assert times[-1] == pytest.approx(0.3)
    # peak counts tokens, not chunks: 12 tokens over 0.2 s, not 3 chunks
    assert peak_rate(times) == pytest.approx(12 / 0.2)


def test_one_token_per_chunk_keeps_the_chunk_times() -> None:
    r = req(0.0, 0.01, [0.1, 0.25, 0.3], tokens=3)
    assert r.token_times() == [0.1, 0.25, 0.3]


def test_ttfr_counts_any_first_chunk_and_e2e_ttft_the_first_text() -> None:
    r = req(0.0, 0.002, [0.05, 0.06])
    assert r.ttfr == pytest.approx(0.002)
    assert r.ttft == pytest.approx(0.05)


def test_request_level_std_pools_all_requests_of_all_runs() -> None:
    pt = Point()
    # run 1: ttfr 10 ms and 30 ms; run 2: 20 ms and 40 ms (latency 0); text 1 ms later
    pt.add_batch([req(0, 0.010, [0.011, 0.2]), req(0, 0.030, [0.031, 0.2])], [100, 100], 0.0)
    pt.add_batch([req(0, 0.020, [0.021, 0.2]), req(0, 0.040, [0.041, 0.2])], [100, 100], 0.0)
    row = point_row(pt, 2)
    assert row["ttfr_ms"] == pytest.approx(25.0)
    # numpy.std([10, 30, 20, 40]) = 11.18; the std of the run means (20, 30) would be 5
    assert row["ttfr_ms_std"] == pytest.approx(11.1803, rel=1e-4)
    # est_ppt = ttfr - latency; pp t/s (req) = prompt tokens / est_ppt, pooled
    assert row["est_ppt_ms"] == pytest.approx(25.0)
    assert row["pp_tps_req"] == pytest.approx((10000 + 10000 / 3 + 5000 + 2500) / 4)


def test_a_first_chunk_sent_long_before_the_text_does_not_end_prefill() -> None:
    # role-only chunk at 1 ms, first text at 100 ms: prefill ended near 100 ms, not at 1 ms
    early = req(0, 0.001, [0.100, 0.2])
    assert prefill_end(early) == pytest.approx(0.100)
    # role chunk with the first token (vLLM, llama.cpp): llama-benchy's ttfr is kept
    together = req(0, 0.0995, [0.100, 0.2])
    assert prefill_end(together) == pytest.approx(0.0995)
    pt = Point()
    pt.add_batch([early], [50], 0.0005)
    row = point_row(pt, 1)
    assert row["est_ppt_ms"] == pytest.approx(99.5)
    assert row["pp_tps_req"] == pytest.approx(50 / 0.0995)


def test_total_columns_take_one_value_per_run() -> None:
    pt = Point()
    fast = [req(0, 0.01, [0.1 + i * 0.01 for i in range(11)]) for _ in range(2)]
    slow = [req(0, 0.01, [0.1 + i * 0.02 for i in range(11)]) for _ in range(2)]
    pt.add_batch(fast, [10, 10], 0.0)
    pt.add_batch(slow, [10, 10], 0.0)
    row = point_row(pt, 2)
    assert pt.runs == 2
    # batch totals: 20 decode tokens over 0.1 s and over 0.2 s -> 200 and 100 t/s
    assert row["tg_tps_total"] == pytest.approx(150.0)
    assert row["tg_tps_total_std"] == pytest.approx(50.0)
    assert row["tg_tps_req"] == pytest.approx(75.0)
    assert row["tg_tps_req_std"] == pytest.approx(25.0)
    # peak t/s: one value per run (22 tokens in 0.1 s / 0.2 s); peak (req): per request
    assert row["peak_tps"] == pytest.approx((220.0 + 110.0) / 2)
    assert row["peak_tps_req"] == pytest.approx((110.0 + 55.0) / 2)


def test_single_concurrency_reports_request_rates_as_totals() -> None:
    pt = Point()
    pt.add_batch([req(0, 0.01, [0.1 + i * 0.01 for i in range(11)])], [10], 0.0)
    pt.add_batch([req(0, 0.01, [0.1 + i * 0.02 for i in range(11)])], [10], 0.0)
    row = point_row(pt, 1)
    assert row["tg_tps_total"] == row["tg_tps_req"]
    assert row["tg_tps_total_std"] == pytest.approx(25.0)


def test_usage_prompt_tokens_used_only_when_close_to_the_expected_count() -> None:
    pt = Point()
    pt.add_batch([req(0, 0.1, [0.2, 0.3], prompt_tokens=110)], [100], 0.0)
    pt.add_batch([req(0, 0.1, [0.2, 0.3], prompt_tokens=500)], [100], 0.0)
    assert pt.pp_req == pytest.approx([1100.0, 1000.0])


def test_usage_probe_fit() -> None:
    pm = PromptMaker()
    pm.calibrate_from_usage([(50, 75), (400, 600)])
    assert pm.method == "usage-probe"
    assert pm.tokens_per_word == pytest.approx(1.5)
    assert pm.overhead == 0


@pytest.mark.parametrize(
    "answer",
    [
        "<unk><unk><unk><unk>",
        "[PAD][PAD][PAD]",
        "the the the the the the the the",
        " . . . . .",
        "Paris Paris Paris Paris Paris",
        "a b a b a b a b a b",
        "<|endoftext|>",
        "<0x0A><0x0A>",
        "!!!???...",
        "ĠtheirДЖ setText 狗 erable_Lj",
        "foo.bar baz_qux fooBar x=y helloWorld",
        "",
        "zzzzzz",
    ],
)
def test_broken_answers_are_suspect(answer: str) -> None:
    assert suspect_reason(answer) is not None


@pytest.mark.parametrize(
    "answer",
    [
        "Paris",
        "Paris.",
        "**Paris**",
        "The capital of France is Paris.",
        "The capital of France is Paris. Paris is also its largest city.",
        "París",
        " w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11",  # the reference server's answer
        "Okay, the user asks for the capital of France in one word. The answer",
        "Lyon",  # wrong but coherent: a miss alone is not enough
    ],
)
def test_sane_answers_are_not_suspect(answer: str) -> None:
    assert suspect_reason(answer) is None
