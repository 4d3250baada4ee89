"""The engine against the reference server: timing accuracy, concurrency, open-loop schedule."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Iterator

import aiohttp
import pytest

from arena.bench.closed import run_closed
from arena.bench.http import (
    RequestResult,
    Timeouts,
    encode,
    make_session,
    payload,
    stream_request,
)
from arena.bench.http.stamping import rx_clock
from arena.bench.open import Job, OpenOptions, run_open
from arena.bench.prompts import PromptMaker
from arena.bench.sanity import probe_force_length, sanity_check
from arena.bench.target import Target
from arena.catalog.types import Bench
from tests.servers.aio import run_async
from tests.servers.reference import HANG, RefConfig, ReferenceServer, count_tokens


@pytest.fixture
def srv() -> Iterator[ReferenceServer]:
    """A reference server with 20 ms TTFT and 5 ms between tokens."""
    with ReferenceServer(RefConfig(ttft=0.02, itl=0.005)) as s:
        yield s


EPS = 1e-4  # s: clock reads, not load; a chunk cannot arrive before the server sends it


def assert_on_schedule(r: RequestResult, cfg: RefConfig) -> None:
    """Every content chunk arrived after the server's schedule let it leave, and before a hang."""
    assert r.content_times == sorted(r.content_times)
    for j, t in enumerate(r.content_times):
        assert cfg.due(j) - EPS <= t - r.t_send < cfg.due(j) + HANG, (j, t - r.t_send)


async def _requests(url: str, n: int, tokens: int) -> list[RequestResult]:
    t = Timeouts(first_token=5, between_tokens=2)
    async with make_session(None, t) as s:
        body = payload("ref-model", "chat", "one two three", tokens, True)
        return list(await asyncio.gather(*[stream_request(s, url, body, t) for _ in range(n)]))


@pytest.mark.parametrize("c", [1, 8])
def test_decode_rate_and_ttft_follow_the_schedule(srv: ReferenceServer, c: int) -> None:
    # How close the rate comes to the scheduled 200 tok/s is benchmarks/bench_accuracy.py's figure;
    # here: tokens from usage, times from the chunks, none before the server's schedule sent it.
    results = run_async(_requests(srv.base_url + "/chat/completions", c, 60))
    for r in results:
        assert r.ok, r.error
        assert r.output_tokens == 60
        assert r.token_source == "usage"
        assert r.prompt_tokens == 3
        assert len(r.content_times) == 60
        assert_on_schedule(r, srv.config)
        first, last = r.content_times[0], r.content_times[-1]
        # TTFT counts the first content chunk, not the role-only chunk sent at once
        assert r.ttft == first - r.t_send
        assert r.ttfr is not None
        assert r.ttfr <= r.ttft
        if last > first:  # a loaded client may read every chunk at once: no interval to rate
            assert r.decode_tps == pytest.approx(59 / (last - first))
        assert r.e2el is not None
        assert r.tpot == pytest.approx((r.e2el - r.ttft) / 59)


def test_role_only_first_chunk_is_not_ttft() -> None:
    with ReferenceServer(RefConfig(ttft=0.08, itl=0.002)) as s:
        (r,) = run_async(_requests(s.base_url + "/chat/completions", 1, 4))
        assert_on_schedule(r, s.config)
    assert r.ttft is not None
    assert r.ttft >= 0.08 - EPS
    assert len(r.content_times) == 4


def test_closed_loop_runs_c_requests_together_and_batches_in_sequence(
    srv: ReferenceServer,
) -> None:
    bench = Bench("t", "T", "closed", (8,), 10, concurrency=(1, 4), reference_concurrency=4, runs=2)
    srv.config.ttft = 0.5  # the 4 requests of a batch overlap at the server unless a send stalls
    seen: list[RequestResult] = []

    async def go() -> tuple[list[dict[str, object]], list[RequestResult]]:
        t = Timeouts(first_token=HANG, between_tokens=HANG)
        async with make_session(None, t) as s:
            target = Target(
                s, srv.base_url + "/chat/completions", "ref-model", "chat", t, PromptMaker()
            )
            return await run_closed(target, bench, 1, seen.append)

    rows, results = run_async(go())
    completed = sum(r.ok for r in results)
    failed = len(results) - completed
    assert (completed, failed) == (10, 0)
    assert len(seen) == 10
    assert srv.stats.max_active == 4
    assert [r["concurrency"] for r in rows] == [1, 4]
    for r in seen:
        assert r.output_tokens == 10
        assert_on_schedule(r, srv.config)
    row = rows[1]
    assert row["runs"] == 2
    # the row's rates are the requests' own (their closeness to 200 / 800 tok/s is a benchmark)
    batches = [seen[2:6], seen[6:10]]  # c = 1 ran first, twice; then two batches of 4
    rates = [r.decode_tps for b in batches for r in b if r.decode_tps is not None]
    assert row["tg_tps_req"] == pytest.approx(statistics.fmean(rates))
    assert row["tg_tps_req_std"] == pytest.approx(statistics.pstdev(rates))
    totals = []
    for b in batches:
        span = max(r.t_last or 0 for r in b) - min(r.t_first or 0 for r in b)
        if span > 0:
            totals.append(sum(r.output_tokens - 1 for r in b) / span)
    assert row["tg_tps_total"] == pytest.approx(statistics.fmean(totals))
    assert all(b["ignore_eos"] is True for b in srv.stats.bodies)


def test_open_loop_keeps_schedule_and_caps_concurrency() -> None:
    # natural_len 20: every request gives 20 tokens whether or not the length is forced
    with ReferenceServer(RefConfig(ttft=0.01, itl=0.01, natural_len=20)) as s:
        bench = Bench(
            "o", "O", "open", (8,), 20, request_rate=50.0, num_prompts=12, max_concurrency=3
        )
        jobs = [
            Job(at=i * 0.02, prompt_tokens=8, output_tokens=20, text="a b c d e f g h")
            for i in range(12)
        ]

        seen: list[RequestResult] = []

        async def go() -> dict[str, object]:
            t = Timeouts(first_token=HANG, between_tokens=HANG)
            async with make_session(None, t) as sess:
                target = Target(
                    sess, s.base_url + "/chat/completions", "ref-model", "chat", t, PromptMaker()
                )
                metrics, _ = await run_open(target, bench, jobs, seen.append, OpenOptions())
                return metrics

        m = run_async(go())
        assert s.stats.max_active <= 3
        for r in seen:
            assert_on_schedule(r, s.config)
    assert m["completed"] == 12
    assert m["failed"] == 0
    # 12 arrivals 20 ms apart, each served for >= 200 ms by the schedule: the cap of 3 is reached
    assert m["peak_in_flight"] == 3  # max_concurrent_requests is vllm's 1-s-bucket figure now
    assert isinstance(m["mean_queue_ms"], float)
    assert m["mean_queue_ms"] > 10
    # the requests' own TPOT (its closeness to the scheduled 10 ms is a benchmark's figure)
    tpots = [r.tpot * 1000 for r in seen if r.tpot is not None]
    assert m["median_tpot_ms"] == pytest.approx(statistics.median(tpots))
    assert m["total_output_tokens"] == 12 * 20


def test_usage_absent_counts_chunks() -> None:
    with ReferenceServer(RefConfig(ttft=0.005, itl=0.001, fault="no_usage")) as s:
        (r,) = run_async(_requests(s.base_url + "/chat/completions", 1, 7))
    assert r.ok
    assert r.token_source == "chunks"
    assert r.output_tokens == 7


def test_prompt_maker_builds_exact_lengths_with_tokenize(srv: ReferenceServer) -> None:
    async def go() -> list[int]:
        t = Timeouts()
        async with make_session(None, t) as s:
            pm = PromptMaker(model="ref-model")
            await pm.calibrate(s, srv.base_url.removesuffix("/v1"), 0)
            assert pm.method == "tokenize"
            rng = random.Random(0)
            return [(await pm.make(s, n, rng))[1] for n in (5, 64, 1000)]

    assert run_async(go()) == [5, 64, 1000]


def _target(s: aiohttp.ClientSession, srv: ReferenceServer, t: Timeouts) -> Target:
    return Target(s, srv.base_url + "/chat/completions", "ref-model", "chat", t, PromptMaker())


def test_ttfr_is_the_first_chunk_of_any_kind_e2e_ttft_the_first_text() -> None:
    with ReferenceServer(RefConfig(ttft=0.08, itl=0.002)) as s:
        (r,) = run_async(_requests(s.base_url + "/chat/completions", 1, 4))
    assert r.ttfr is not None
    assert r.ttft is not None
    assert r.ttft >= 0.08 - EPS
    assert r.ttfr <= r.ttft
    # a stream that stops after the role-only chunk: ttfr is measured, no text so no TTFT
    stalled = RefConfig(ttft=0.002, fault="stall", fault_after=0)
    t = Timeouts(first_token=2, between_tokens=2)  # the role chunk, sent at once, comes first

    async def role_only(url: str) -> RequestResult:
        async with make_session(None, t) as s:
            return await stream_request(s, url, payload("ref-model", "chat", "a", 4, True), t)

    with ReferenceServer(stalled) as s:
        r = run_async(role_only(s.base_url + "/chat/completions"))
    assert r.error == "timeout waiting for first token"
    assert r.ttfr is not None
    assert r.ttft is None


def test_closed_row_has_ttfr_est_ppt_and_latency(srv: ReferenceServer) -> None:
    # 1 s to the first text: the role-only chunk, sent at once, is well before it unless the
    # client stalls for half a second
    srv.config.ttft = 1.0
    bench = Bench("t", "T", "closed", (8,), 6, concurrency=(2,), reference_concurrency=2, runs=2)
    seen: list[RequestResult] = []

    async def go() -> list[dict[str, object]]:
        t = Timeouts(first_token=HANG, between_tokens=HANG)
        async with make_session(None, t) as s:
            rows, _ = await run_closed(_target(s, srv, t), bench, 1, seen.append)
            return rows

    (row,) = run_async(go())
    assert isinstance(row["latency_ms"], float)
    assert 0 < row["latency_ms"] < HANG * 1000
    assert isinstance(row["ttfr_ms"], float)
    assert isinstance(row["e2e_ttft_ms"], float)
    assert row["e2e_ttft_ms"] >= 1000 - EPS * 1000
    assert row["ttfr_ms_std"] is not None
    assert len(seen) == 4
    for r in seen:
        assert r.ttfr is not None
        assert r.ttft is not None
        assert r.ttft >= 1.0 - EPS
        assert r.ttfr < 0.5 * r.ttft
    # the role-only chunk came before prefill: prefill ends at the first text, not at it
    latency = row["latency_ms"] / 1000
    assert isinstance(row["est_ppt_ms"], float)
    assert row["est_ppt_ms"] == pytest.approx(
        statistics.fmean((r.ttft or 0) - latency for r in seen) * 1000
    )
    assert isinstance(row["pp_tps_req"], float)
    assert row["pp_tps_req"] == pytest.approx(
        statistics.fmean(8 / ((r.ttft or 0) - latency) for r in seen)
    )


@pytest.mark.parametrize(("fault_after", "phase"), [(0, "first token"), (3, "next token")])
def test_keepalive_comments_do_not_extend_the_deadlines(fault_after: int, phase: str) -> None:
    cfg = RefConfig(ttft=0.005, itl=0.002, fault="keepalive", fault_after=fault_after)
    cfg.ping_every = 0.02
    t = Timeouts(first_token=0.4, between_tokens=0.3)

    async def go() -> RequestResult:
        async with make_session(None, t) as s:
            body = payload("ref-model", "chat", "one two", 20, True)
            async with asyncio.timeout(HANG):  # pings resetting the deadline: pings forever
                return await stream_request(s, srv.base_url + "/chat/completions", body, t)

    with ReferenceServer(cfg) as srv:
        res = run_async(go())
    # the request ended on its own 0.3-0.4 s deadline although pings kept coming every 20 ms
    assert not res.ok
    assert res.error == f"timeout waiting for {phase}"
    assert res.output_tokens == fault_after


def test_peak_counts_tokens_of_multi_token_chunks() -> None:
    # MTP-like: 4 tokens per chunk, one chunk every 20 ms: 40 tokens in 10 chunks over 0.18 s
    cfg = RefConfig(ttft=0.01, itl=0.02, tokens_per_chunk=4)
    bench = Bench("m", "M", "closed", (8,), 40, concurrency=(1,), reference_concurrency=1, runs=1)

    seen: list[RequestResult] = []

    async def go() -> list[dict[str, object]]:
        t = Timeouts(first_token=HANG, between_tokens=HANG)
        async with make_session(None, t) as s:
            rows, _ = await run_closed(_target(s, srv, t), bench, 1, seen.append)
            return rows

    with ReferenceServer(cfg) as srv:
        (row,) = run_async(go())
        (r,) = seen
        assert_on_schedule(r, srv.config)
    assert row["mean_output_tokens"] == 40
    assert len(r.content_times) == 10
    # a stream shorter than the 1 s window: peak = 40 tokens / its span (10 chunks would give a
    # quarter); the span the schedule gives is 0.18 s, on a loaded machine whatever it was
    span = r.content_times[-1] - r.content_times[0]
    if 0 < span < 1:
        assert row["peak_tps_req"] == pytest.approx(40 / span)
        assert row["peak_tps"] == pytest.approx(40 / span)


def test_depth_is_tokens_of_prior_context_in_a_system_message(srv: ReferenceServer) -> None:
    bench = Bench(
        "d", "D", "closed", (32,), 4, depth=4, concurrency=(1,), reference_concurrency=1, runs=2
    )

    async def go() -> list[dict[str, object]]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            target = _target(s, srv, t)
            await target.prompts.calibrate(s, srv.base_url.removesuffix("/v1"), 0)
            rows, _ = await run_closed(target, bench, 1, lambda r: None)
            return rows

    (row,) = run_async(go())
    assert row["depth"] == 4
    for body in srv.stats.bodies:
        system, user = body["messages"]
        assert system["role"] == "system"
        assert len(system["content"].split()) == 4  # 4 tokens of context, not 4 chat turns
        assert user["role"] == "user"
        assert len(user["content"].split()) == 32


def test_usage_probe_calibration_without_tokenize() -> None:
    async def go(srv: ReferenceServer) -> tuple[PromptMaker, list[int]]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            pm = PromptMaker(model="ref-model")
            await pm.calibrate(s, srv.base_url.removesuffix("/v1"), 0)
            rng = random.Random(0)
            return pm, [(await pm.make(s, n, rng))[1] for n in (5, 64, 1000)]

    with ReferenceServer(RefConfig(tokenize=False)) as srv:
        pm, counts = run_async(go(srv))
        probes = [count_tokens(b) for b in srv.stats.bodies]
        limits = [b["max_tokens"] for b in srv.stats.bodies]
        forced = [bool(b.get("ignore_eos")) for b in srv.stats.bodies]
    assert pm.method == "usage-probe"
    assert pm.tokens_per_word == pytest.approx(1.0)
    assert pm.overhead == 0
    assert probes == [50, 400]
    assert limits == [1, 1]
    assert forced == [False, False]
    assert counts == [5, 64, 1000]


def test_usage_probes_go_to_the_completions_endpoint_when_the_bench_uses_it() -> None:
    async def go(srv: ReferenceServer) -> PromptMaker:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            pm = PromptMaker(model="ref-model")
            await pm.calibrate(s, srv.base_url.removesuffix("/v1"), 0, endpoint="completions")
            return pm

    with ReferenceServer(RefConfig(tokenize=False)) as srv:
        pm = run_async(go(srv))
        bodies = list(srv.stats.bodies)
    assert pm.method == "usage-probe"
    assert [("prompt" in b, "messages" in b) for b in bodies] == [(True, False)] * 2
    assert [count_tokens(b) for b in bodies] == [50, 400]


def test_usage_probe_prompts_come_out_at_the_target_length() -> None:
    bench = Bench("p", "P", "closed", (48, 300), 4, concurrency=(1,), reference_concurrency=1)

    async def go(srv: ReferenceServer) -> None:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            target = _target(s, srv, t)
            await target.prompts.calibrate(s, srv.base_url.removesuffix("/v1"), 0)
            await run_closed(target, bench, 1, lambda r: None)

    with ReferenceServer(RefConfig(tokenize=False, ttft=0.002, itl=0.001)) as srv:
        run_async(go(srv))
        sizes = sorted({count_tokens(b) for b in srv.stats.bodies[2:]})
    assert sizes == [48, 300]


def test_without_usage_calibration_falls_back_to_the_estimate() -> None:
    async def go(srv: ReferenceServer) -> PromptMaker:
        async with make_session(None, Timeouts()) as s:
            pm = PromptMaker(model="ref-model")
            await pm.calibrate(s, srv.base_url.removesuffix("/v1"), 0)
            return pm

    with ReferenceServer(RefConfig(tokenize=False, fault="no_usage", ttft=0.002)) as srv:
        pm = run_async(go(srv))
    assert pm.method == "estimate"
    assert pm.tokens_per_word == 1.3


@pytest.mark.parametrize("status", [400, 422])
def test_force_length_rejection_400_or_422_turns_forcing_off(status: int) -> None:
    async def go(srv: ReferenceServer) -> tuple[str | None, bool]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            target = _target(s, srv, t)
            note = await probe_force_length(target)
            return note, target.force_length

    with ReferenceServer(RefConfig(reject_forced=status, ttft=0.002)) as srv:
        note, forced = run_async(go(srv))
    assert note is not None
    assert f"HTTP {status}" in note
    assert forced is False


@pytest.mark.parametrize(
    ("reply", "suspect"),
    [
        ("The capital of France is Paris.", None),
        ("Paris.", None),
        ("<unk><unk><unk><unk>", "special tokens"),
        ("[PAD][PAD][PAD]", "special tokens"),
        ("the the the the the the", "repeated token"),
        (". . . . .", "repeated token"),
        ("ĠtheirДЖ setText 狗 erable_Lj", "unexpected answer"),
    ],
)
def test_sanity_check_against_the_server(reply: str, suspect: str | None) -> None:
    async def go(srv: ReferenceServer) -> tuple[str | None, str]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            return await sanity_check(_target(s, srv, t))

    with ReferenceServer(RefConfig(reply=reply, ttft=0.002, itl=0.001)) as srv:
        reason, answer = run_async(go(srv))
    assert answer.split() == reply.split()
    if suspect is None:
        assert reason is None
    else:
        assert reason is not None
        assert reason.startswith(suspect)


def test_reference_server_default_answer_is_not_suspect(srv: ReferenceServer) -> None:
    async def go() -> tuple[str | None, str]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            return await sanity_check(_target(s, srv, t))

    reason, answer = run_async(go())
    assert answer.startswith(" w0 w1")
    assert reason is None


def test_send_time_is_taken_when_the_bytes_are_written_not_when_the_call_starts() -> None:
    # A callback that holds the loop for 200 ms is queued right behind the request: it runs
    # after aiohttp builds the request and before its body-writer task writes it. TTFT from
    # the call would be >= 200 + 30 ms; from the write it is the server's 30 ms.
    async def go(url: str) -> tuple[RequestResult, float, bool]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            body = payload("ref-model", "chat", "one two", 4, True)
            await stream_request(s, url, body, t)  # a pooled connection, so no connect wait
            loop = asyncio.get_running_loop()
            t_call = time.perf_counter()
            task = asyncio.ensure_future(stream_request(s, url, body, t))
            loop.call_soon(time.sleep, 0.2)
            res = await task
            async with s.post(url, data=encode(body)) as resp:
                clock = rx_clock(resp)
                await resp.read()
            stamped = clock is not None and clock.rx_time is not None
        return res, t_call, stamped

    with ReferenceServer(RefConfig(ttft=0.03, itl=0.002)) as srv:
        res, t_call, rx_stamped = run_async(go(srv.base_url + "/chat/completions"))
    assert res.ok, res.error
    assert res.t_send - t_call >= 0.199  # so TTFT does not hold the 200 ms the loop was held
    assert res.ttft is not None
    assert res.ttft >= 0.03 - EPS
    assert rx_stamped  # chunk arrival times come from the connection's protocol


def test_a_request_on_a_pooled_connection_the_server_dropped_is_sent_once_more() -> None:
    async def go(url: str) -> list[RequestResult]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            body = payload("ref-model", "chat", "one two", 4, True)
            return [await stream_request(s, url, body, t) for _ in range(3)]

    with ReferenceServer(RefConfig(ttft=0.005, itl=0.001, drop_reused=True)) as srv:
        results = run_async(go(srv.base_url + "/chat/completions"))
    assert [(r.ok, r.retried) for r in results] == [(True, False), (True, True), (True, True)]
    assert srv.stats.requests == 3  # the dropped requests never reached the router


def test_a_fresh_connection_closed_before_any_answer_is_a_fault_not_resent() -> None:
    async def go(url: str) -> RequestResult:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            return await stream_request(s, url, payload("ref-model", "chat", "a", 4, True), t)

    with ReferenceServer(RefConfig(fault="drop")) as srv:
        res = run_async(go(srv.base_url + "/chat/completions"))
    assert not res.ok
    assert not res.retried
    assert (res.error or "").startswith("connection lost")
    assert srv.stats.requests == 1
