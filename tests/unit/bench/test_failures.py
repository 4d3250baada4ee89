"""Failures are loud and never destructive: the FAILED flag in the store's views, the numeric
option checks, the progress figures of failed requests, and the queueing rule for prefill."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest

from arena.bench.closed.loop import QUEUE_FACTOR, Point, queue_reason
from arena.bench.http import RequestResult
from arena.bench.open.record import open_record
from arena.catalog.types import Bench
from arena.cli.bench import check_numbers, failed_lines
from arena.cli.bench_progress import LiveProgress
from arena.errors import ArenaError
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance, RunInfo
from arena.store import Store
from arena.verdicts import ErrorKind, Flag

PROV = Provenance("arena", "0.1.0", None, "arena bench", None)
GOOD = BenchRecord("chat", 42.0, 400.0, 100.0, 120.0, 110.0, 1.0, PROV, completed=9, failed=0)
FAILED = dataclasses.replace(
    GOOD,
    tps_per_user=30.0,  # a headline from the requests that did succeed
    completed=6,
    failed=3,
    flags=(Flag.FAILED, Flag.UNRELIABLE),
    distribution={"errors": {"HTTP 500: boom": 2, "connection lost": 1}},
)
IMPORTED = dataclasses.replace(
    GOOD, source=Provenance("vllm-bench", "0.9", "x.json", None, None), flags=(Flag.UNRELIABLE,)
)
HW = HardwareInfo("box", "My box")
BUILD = BuildInfo("my-build", "My build", "org/model", "bf16", "box", params_total_b=3.0)


def _run(run_id: str, month: int) -> RunInfo:
    return RunInfo(run_id, "v1", "box", date=f"2026-0{month}-01T00:00:00")


def test_a_failed_attempt_never_becomes_the_builds_result(store: Store) -> None:
    store.put_build(BUILD, HW, [GOOD], run=_run("good", 1))
    store.put_build(BUILD, HW, [FAILED], run=_run("failed", 2))  # newer, with a headline
    view = store.build("my-build", suite="v1")
    assert view is not None
    assert view.results["chat"] == GOOD
    assert view.result_runs == {"chat": "good"}
    newest = view.runs[0]
    assert (newest.run.id, newest.benches, newest.good) == ("failed", ("chat",), ())
    attempt = store.build("my-build", run="failed")  # one run's view lists its attempt
    assert attempt is not None
    assert attempt.results["chat"].flags == (Flag.FAILED, Flag.UNRELIABLE)


def test_a_build_with_only_failed_attempts_shows_no_result(store: Store) -> None:
    store.put_build(BUILD, HW, [FAILED], run=_run("failed", 2))
    view = store.build("my-build", suite="v1")
    assert view is not None
    assert view.results == {}
    assert [rv.benches for rv in view.runs] == [("chat",)]


def test_an_imported_unreliable_result_stays_the_result(store: Store) -> None:
    store.put_build(BUILD, HW, [IMPORTED], run=_run("imported", 1))
    view = store.build("my-build", suite="v1")
    assert view is not None
    assert view.results["chat"].flags == (Flag.UNRELIABLE,)


def test_failed_lines_name_the_bench_the_count_and_the_first_reason() -> None:
    assert failed_lines([FAILED]) == [
        "failed: chat: 3/9 requests failed; first reason: HTTP 500: boom; stored as a failed "
        "attempt of this run, not as the build's result"
    ]


NUMBERS: dict[str, Any] = {
    "runs": None,
    "first_token_timeout": 600.0,
    "token_timeout": 120.0,
    "connect_timeout": 10.0,
    "vram_gb": None,
    "params_b": None,
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("runs", 0, "--runs 0: expected a whole number of runs, 1 or more"),
        ("runs", -1, "--runs -1: expected a whole number of runs, 1 or more"),
        ("token_timeout", 0.0, "--token-timeout 0: expected seconds, a finite number above 0"),
        (
            "first_token_timeout",
            -5.0,
            "--first-token-timeout -5: expected seconds, a finite number above 0",
        ),
        (
            "connect_timeout",
            float("inf"),
            "--connect-timeout inf: expected seconds, a finite number above 0",
        ),
        (
            "first_token_timeout",
            float("nan"),
            "--first-token-timeout nan: expected seconds, a finite number above 0",
        ),
        ("vram_gb", 0.0, "--vram-gb 0: expected a finite number above 0"),
        ("params_b", -8.0, "--params-b -8: expected a finite number above 0"),
    ],
)
def test_numeric_options_are_checked_with_one_line(field: str, value: float, message: str) -> None:
    with pytest.raises(ArenaError) as err:
        check_numbers(**{**NUMBERS, field: value})
    assert str(err.value) == message


def test_valid_numbers_pass() -> None:
    check_numbers(**{**NUMBERS, "runs": 1, "token_timeout": 0.1})


def _result(ok: bool, tokens: int) -> RequestResult:
    r = RequestResult(ok=ok, output_tokens=tokens)
    if not ok:
        r.fail(ErrorKind.CONNECTION_LOST, "connection lost")
    return r


def test_progress_counts_only_successful_output_and_shows_failures() -> None:
    live = LiveProgress(no_bars=True, quiet=True)
    live.t0["chat"] = time.perf_counter() - 1.0
    assert live.tally("chat", _result(False, 5)) == ("0.0", "1 failed")  # 5 tokens, then lost
    assert live.tally("chat", _result(False, 5)) == ("0.0", "2 failed")
    tps, errors = live.tally("chat", _result(True, 10))
    assert float(tps) > 0
    assert errors == "2 failed"


def test_open_record_notes_say_what_failed() -> None:
    bench = Bench("office", "Office", "open", (8,), 16, num_prompts=3)
    ttft = {"p50_ttft_ms": 0.0, "p95_ttft_ms": 0.0, "mean_ttft_ms": 0.0, "median_tpot_ms": 0.0}
    # every stream produced 5 tokens and then broke: none succeeded
    dist: Any = {**ttft, "completed": 0, "failed": 3, "output_throughput": 0.0}
    dist["token_source"] = "chunks"
    rec = open_record(bench, dist, PROV, [], {})
    assert "no TPOT measured: no request succeeded (3 failed)" in rec.notes
    assert not any("2+ tokens" in n for n in rec.notes)
    one: Any = {**dist, "completed": 2, "failed": 1}
    rec = open_record(bench, one, PROV, [], {})
    assert (
        "no TPOT measured: none of the 2 successful answers had 2+ tokens in separate reads "
        "(failed requests are not counted)"
    ) in rec.notes


def _point(ttfts: list[float], ends: list[float]) -> Point:
    pt = Point(e2e_ttft=list(ttfts))
    pt.waited = min(ends) < max(ttfts)
    return pt


def test_queueing_rule() -> None:
    unloaded = 0.05
    # 8 prefills shared one after another take at most 8 x 50 ms: no queue evident
    assert queue_reason(_point([0.3] * 8, [1.0] * 8), 8, unloaded) is None
    # above QUEUE_FACTOR x c x unloaded: evident, the figures named
    worst = QUEUE_FACTOR * 8 * unloaded + 0.01
    why = queue_reason(_point([0.05, worst], [10.0, 10.0]), 8, unloaded)
    assert why == f"TTFT up to {worst * 1000:.0f} ms, over 1.5 x c 8 x the unloaded TTFT 50 ms"
    # a first token after another request of the batch ended: evident without any unloaded TTFT
    why = queue_reason(_point([0.05, 0.4], [0.3, 0.7]), 2, None)
    assert why == "a first token came after another request of its batch had finished"
    assert queue_reason(_point([0.9], [1.0]), 1, unloaded) is None  # c = 1 never queues
