"""SSE parsing across arbitrary chunk boundaries; statistics as vllm bench serve computes them."""

from __future__ import annotations

import random

import pytest

from arena.bench.http import SSEError, SSEParser
from arena.bench.metrics import mean, percentile, std, summary

STREAM = (
    b": keep-alive\r\n\r\n"
    b'data: {"a": 1}\n\n'
    b"event: message\ndata: line one\ndata: line two\n\n"
    b'data:{"nospace": true}\r\n\r\n'
    b"id: 7\nretry: 10\n\n"
    b"data: [DONE]\n\n"
)
EXPECTED = ['{"a": 1}', "line one\nline two", '{"nospace": true}', "[DONE]"]


def test_whole_stream() -> None:
    p = SSEParser()
    assert p.feed(STREAM) + p.close() == EXPECTED


@pytest.mark.parametrize("seed", range(20))
def test_any_split_gives_the_same_events(seed: int) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(STREAM)), 8))
    parts = [STREAM[a:b] for a, b in zip([0, *cuts], [*cuts, len(STREAM)], strict=True)]
    p = SSEParser()
    events: list[str] = []
    for part in parts:
        events += p.feed(part)
    assert events + p.close() == EXPECTED


def test_byte_by_byte() -> None:
    p = SSEParser()
    events: list[str] = []
    for i in range(len(STREAM)):
        events += p.feed(STREAM[i : i + 1])
    assert events == EXPECTED


def test_last_event_without_blank_line_is_kept() -> None:
    p = SSEParser()
    assert p.feed(b"data: tail") == []
    assert p.close() == ["tail"]


def test_invalid_utf8_is_an_error() -> None:
    with pytest.raises(SSEError, match="not UTF-8"):
        SSEParser().feed(b"data: \xff\xfe\n\n")


def test_percentile_matches_numpy_linear() -> None:
    xs = [15.0, 20.0, 35.0, 40.0, 50.0]
    # numpy.percentile(xs, [50, 90, 95, 99]) with the default linear method
    assert [percentile(xs, q) for q in (50, 90, 95, 99)] == pytest.approx([35.0, 46.0, 48.0, 49.6])
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


def test_mean_std_population() -> None:
    assert mean([2, 4, 4, 4, 5, 5, 7, 9]) == 5
    assert std([2, 4, 4, 4, 5, 5, 7, 9]) == 2  # numpy.std default (ddof=0)
    assert std([3.0]) == 0


def test_summary_field_names_follow_vllm() -> None:
    s = summary("ttft", [1.0, 2.0, 3.0])
    assert set(s) == {
        "mean_ttft_ms",
        "median_ttft_ms",
        "std_ttft_ms",
        "p50_ttft_ms",
        "p90_ttft_ms",
        "p95_ttft_ms",
        "p99_ttft_ms",
    }
    assert s["median_ttft_ms"] == s["p50_ttft_ms"] == 2.0
