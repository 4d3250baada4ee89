"""The engine against the reference server: timing accuracy, concurrency, open-loop schedule."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import pytest

from arena.bench.client import RequestResult, Timeouts, make_session, payload, stream_request
from arena.bench.closed import Target, run_closed
from arena.bench.open_loop import Job, run_open
from arena.bench.prompts import PromptMaker
from arena.catalog.types import Bench
from tests.servers.aio import run_async
from tests.servers.reference import RefConfig, ReferenceServer


@pytest.fixture
def srv() -> Iterator[ReferenceServer]:
    """A reference server with 20 ms TTFT and 5 ms between tokens."""
    with ReferenceServer(RefConfig(ttft=0.02, itl=0.005)) as s:
        yield s


async def _requests(url: str, n: int, tokens: int) -> list[RequestResult]:
    t = Timeouts(first_token=5, between_tokens=2)
    async with make_session(None, t) as s:
        body = payload("ref-model", "chat", "one two three", tokens, True)
        return list(await asyncio.gather(*[stream_request(s, url, body, t) for _ in range(n)]))


@pytest.mark.parametrize("c", [1, 8])
def test_decode_rate_and_ttft_match_the_schedule(srv: ReferenceServer, c: int) -> None:
    results = run_async(_requests(srv.base_url + "/chat/completions", c, 60))
    for r in results:
        assert r.ok, r.error
        assert r.output_tokens == 60
        assert r.token_source == "usage"
        assert r.prompt_tokens == 3
        # 59 gaps of 5 ms: 200 tok/s; tolerance for a noisy 2-core machine
        assert r.decode_tps == pytest.approx(200.0, rel=0.03)
        assert r.tpot is not None
        assert r.tpot == pytest.approx(0.005, rel=0.05)
        # role-only chunk arrives at once; TTFT counts the first content chunk (20 ms)
        assert r.ttft is not None
        assert 0.019 <= r.ttft < 0.05


def test_role_only_first_chunk_is_not_ttft() -> None:
    with ReferenceServer(RefConfig(ttft=0.08, itl=0.002)) as s:
        (r,) = run_async(_requests(s.base_url + "/chat/completions", 1, 4))
    assert r.ttft is not None
    assert r.ttft >= 0.079
    assert len(r.content_times) == 4


def test_closed_loop_runs_c_requests_together_and_batches_in_sequence(
    srv: ReferenceServer,
) -> None:
    bench = Bench("t", "T", "closed", (8,), 10, concurrency=(1, 4), reference_concurrency=4, runs=2)

    async def go() -> tuple[list[dict[str, object]], int, int]:
        t = Timeouts(first_token=5, between_tokens=2)
        async with make_session(None, t) as s:
            target = Target(
                s, srv.base_url + "/chat/completions", "ref-model", "chat", t, PromptMaker()
            )
            return await run_closed(target, bench, 1, lambda r: None, [])

    rows, completed, failed = run_async(go())
    assert (completed, failed) == (10, 0)
    assert srv.stats.max_active == 4
    assert [r["concurrency"] for r in rows] == [1, 4]
    row = rows[1]
    assert row["runs"] == 2
    assert row["tg_tps_req"] == pytest.approx(200.0, rel=0.05)
    assert row["tg_tps_total"] == pytest.approx(800.0, rel=0.1)
    assert row["tg_tps_req_std"] is not None
    assert row["tg_tps_req_std"] < 10
    assert all(b["ignore_eos"] is True for b in srv.stats.bodies)


def test_open_loop_keeps_schedule_and_caps_concurrency() -> None:
    with ReferenceServer(RefConfig(ttft=0.01, itl=0.01)) as s:
        bench = Bench(
            "o", "O", "open", (8,), 20, request_rate=50.0, num_prompts=12, max_concurrency=3
        )
        jobs = [
            Job(at=i * 0.02, prompt_tokens=8, output_tokens=20, text="a b c d e f g h")
            for i in range(12)
        ]

        async def go() -> dict[str, object]:
            t = Timeouts(first_token=5, between_tokens=2)
            async with make_session(None, t) as sess:
                target = Target(
                    sess, s.base_url + "/chat/completions", "ref-model", "chat", t, PromptMaker()
                )
                metrics, _ = await run_open(target, bench, jobs, lambda r: None)
                return metrics

        m = run_async(go())
        assert s.stats.max_active <= 3
    assert m["completed"] == 12
    assert m["failed"] == 0
    assert m["max_concurrent_requests"] == 3
    assert isinstance(m["mean_queue_ms"], float)
    assert m["mean_queue_ms"] > 10
    assert m["median_tpot_ms"] == pytest.approx(10.0, rel=0.1)
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
