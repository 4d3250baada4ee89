"""Open loop with `vllm bench serve`'s semantics: seeded gamma arrivals on an absolute schedule."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from arena.bench.http import RequestResult, encode, payload, stream_request
from arena.bench.open.metrics import JobCaps, OpenMetrics, open_metrics
from arena.bench.open.plan import Job, OpenOptions
from arena.bench.target import ServerGone, Target
from arena.catalog.types import Bench
from arena.verdicts import ErrorKind

# This many "connection refused" results in a row (at least; 2 x max_concurrency when larger)
# mean the server is gone: the rest of the schedule is cancelled.
REFUSED_IN_A_ROW = 5


async def run_open(
    t: Target,
    bench: Bench,
    jobs: list[Job],
    on_request: Callable[[RequestResult], None],
    opts: OpenOptions,
) -> tuple[OpenMetrics, list[RequestResult]]:
    """Send every job at its absolute time; vllm-bench-style metrics plus client queue time."""
    # Output length is forced (ignore_eos/min_tokens) only with OpenOptions.ignore_eos and when
    # the server accepts it. After REFUSED_IN_A_ROW "connection refused" results in a row the
    # rest of the schedule is cancelled and ServerGone is raised.
    forced = opts.ignore_eos and t.force_length
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(bench.max_concurrency) if bench.max_concurrency else None
    active = peak = refused = 0
    limit = max(REFUSED_IN_A_ROW, 2 * (bench.max_concurrency or 0))
    queue_ms: list[float] = []
    results: list[RequestResult | None] = [None] * len(jobs)

    bodies = [
        encode(payload(t.model, t.endpoint, j.text or "", j.output_tokens, forced)) for j in jobs
    ]

    async def one(i: int, job: Job, body: bytes, start: float) -> None:
        nonlocal active, peak, refused
        delay = start + job.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        scheduled = time.perf_counter()
        if sem is not None:
            await sem.acquire()
        queue_ms.append((time.perf_counter() - scheduled) * 1000)
        active += 1
        peak = max(peak, active)
        try:
            res = await stream_request(t.session, t.url, body, t.timeouts)
        finally:
            active -= 1
            if sem is not None:
                sem.release()
        if res.prompt_tokens is None:
            res.prompt_tokens = job.prompt_tokens
        results[i] = res
        on_request(res)
        refused = refused + 1 if res.kind is ErrorKind.REFUSED else 0
        if refused >= limit:
            raise _Refused(refused)

    # the duration clock starts at the scheduled start (vllm: benchmark_start_time)
    start = loop.time()
    t_start = time.perf_counter()
    try:
        async with asyncio.TaskGroup() as tg:
            for i, (j, b) in enumerate(zip(jobs, bodies, strict=True)):
                tg.create_task(one(i, j, b, start))
    except* _Refused as group:
        n = max(e.count for e in group.exceptions if isinstance(e, _Refused))
        raise ServerGone(
            f"server at {t.url} refused {n} requests in a row during bench '{bench.id}'"
        ) from None
    duration = time.perf_counter() - t_start
    done = [r for r in results if r is not None]
    dist = open_metrics(bench, done, duration, peak, queue_ms)
    dist["ignore_eos"] = forced
    if opts.max_prompt_tokens or opts.max_output_tokens:
        dist["job_caps"] = JobCaps(
            max_prompt_tokens=opts.max_prompt_tokens, max_output_tokens=opts.max_output_tokens
        )
    return dist, done


class _Refused(Exception):
    """Too many connection refusals in a row (internal to run_open)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} refusals in a row")
        self.count = count
