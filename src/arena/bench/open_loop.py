"""Open loop with `vllm bench serve`'s semantics: seeded gamma arrivals on an absolute schedule."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena.bench.client import RequestResult, encode, payload, stream_request
from arena.bench.closed import Target
from arena.bench.metrics import percentile, summary
from arena.catalog.types import Bench
from arena.errors import ArenaError

# Used when no ShareGPT file is given: lognormal lengths around ShareGPT V3's typical sizes.
SYNTHETIC_SHAREGPT = {"in_median": 220, "in_sigma": 0.9, "out_median": 200, "out_sigma": 0.8}


@dataclass(frozen=True)
class Job:
    """One request of the plan: when to send, how long the prompt and the answer."""

    at: float
    prompt_tokens: int
    output_tokens: int
    text: str | None = None


def arrival_offsets(n: int, rate: float, burstiness: float, rng: random.Random) -> list[float]:
    """Cumulative gaps drawn from Gamma(shape=burstiness, scale=1/(rate*burstiness))."""
    if math.isinf(rate):
        return [0.0] * n
    theta = 1.0 / (rate * burstiness)
    out, t = [], 0.0
    for _ in range(n):
        out.append(t)
        t += rng.gammavariate(burstiness, theta)
    return out


def random_lengths(bench: Bench, rng: random.Random) -> list[tuple[int, int]]:
    """Input/output lengths uniform in [x(1-r), x(1+r)], as vllm's random dataset."""
    r = bench.range_ratio
    pin = bench.prompt_tokens[0] if bench.prompt_tokens else 256
    pout = bench.output_tokens or 128
    lo_i, hi_i = max(1, int(pin * (1 - r))), max(1, int(pin * (1 + r)))
    lo_o, hi_o = max(1, int(pout * (1 - r))), max(1, int(pout * (1 + r)))
    return [
        (rng.randint(lo_i, hi_i), rng.randint(lo_o, hi_o)) for _ in range(bench.num_prompts or 1)
    ]


def sharegpt_items(path: Path, n: int, rng: random.Random) -> list[tuple[str, int]]:
    """First human turn and the answer length (words x 1.3) of ShareGPT-format conversations."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ArenaError(f"{path}: not a readable ShareGPT JSON file ({exc})") from exc
    pairs = []
    for conv in data if isinstance(data, list) else []:
        turns = conv.get("conversations") if isinstance(conv, dict) else None
        if isinstance(turns, list) and len(turns) >= 2:
            q, a = turns[0].get("value"), turns[1].get("value")
            if isinstance(q, str) and isinstance(a, str) and q.strip() and a.strip():
                pairs.append((q, max(4, round(len(a.split()) * 1.3))))
    if not pairs:
        raise ArenaError(f"{path}: no conversations with a human turn and an answer found")
    rng.shuffle(pairs)
    return [pairs[i % len(pairs)] for i in range(n)]


def synthetic_sharegpt(n: int, rng: random.Random) -> list[tuple[int, int]]:
    """Lognormal input/output lengths (documented in SYNTHETIC_SHAREGPT)."""
    s = SYNTHETIC_SHAREGPT
    out = []
    for _ in range(n):
        i = rng.lognormvariate(math.log(s["in_median"]), s["in_sigma"])
        o = rng.lognormvariate(math.log(s["out_median"]), s["out_sigma"])
        out.append((min(4096, max(4, round(i))), min(2048, max(4, round(o)))))
    return out


async def plan(
    t: Target, bench: Bench, seed: int, sharegpt: Path | None
) -> tuple[list[Job], list[str]]:
    """All jobs with prompt texts, built before the measured window starts."""
    rng = random.Random(seed)
    n = bench.num_prompts or 1
    notes: list[str] = []
    offsets = arrival_offsets(n, bench.request_rate or math.inf, bench.burstiness, rng)
    jobs: list[Job] = []
    if bench.dataset == "sharegpt" and sharegpt is not None:
        for at, (text, out) in zip(offsets, sharegpt_items(sharegpt, n, rng), strict=True):
            jobs.append(Job(at, len(text.split()), out, text))
        notes.append(f"dataset: ShareGPT file {sharegpt.name}")
        return jobs, notes
    if bench.dataset == "sharegpt":
        lengths = synthetic_sharegpt(n, rng)
        notes.append("dataset: synthetic ShareGPT-like lengths (no --dataset sharegpt=PATH given)")
    else:
        lengths = random_lengths(bench, rng)
    for at, (pin, pout) in zip(offsets, lengths, strict=True):
        text, actual = await t.prompts.make(t.session, pin, rng)
        jobs.append(Job(at, actual, pout, text))
    return jobs, notes


async def run_open(
    t: Target, bench: Bench, jobs: list[Job], on_request: Callable[[RequestResult], None]
) -> tuple[dict[str, Any], list[RequestResult]]:
    """Send every job at its absolute time; vllm-bench-style metrics plus client queue time."""
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(bench.max_concurrency) if bench.max_concurrency else None
    active = peak = 0
    queue_ms: list[float] = []

    bodies = [
        encode(payload(t.model, t.endpoint, j.text or "", j.output_tokens, t.force_length))
        for j in jobs
    ]

    async def one(job: Job, body: bytes, start: float) -> RequestResult:
        nonlocal active, peak
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
        on_request(res)
        return res

    t_start = time.perf_counter()
    start = loop.time() + 0.05
    results = list(
        await asyncio.gather(*[one(j, b, start) for j, b in zip(jobs, bodies, strict=True)])
    )
    duration = time.perf_counter() - t_start
    return open_metrics(bench, results, duration, peak, queue_ms), results


def open_metrics(
    bench: Bench, results: list[RequestResult], duration: float, peak: int, queue_ms: list[float]
) -> dict[str, Any]:
    """The fields of vllm bench serve's --save-result JSON (plus queue time and token source)."""
    ok = [r for r in results if r.ok]
    ttft = [r.ttft * 1000 for r in ok if r.ttft is not None]
    tpot = [r.tpot * 1000 for r in ok if r.tpot is not None]
    itl = [g * 1000 for r in ok for g in r.itls()]
    e2el = [r.e2el * 1000 for r in ok if r.e2el is not None]
    out_tokens = sum(r.output_tokens for r in ok)
    in_tokens = sum(r.prompt_tokens or 0 for r in ok)
    times = [int(t - min(r.t_send for r in ok)) for r in ok for t in r.content_times] if ok else []
    per_second: dict[int, int] = {}
    for sec in times:
        per_second[sec] = per_second.get(sec, 0) + 1
    m: dict[str, Any] = {
        "num_prompts": len(results),
        "request_rate": bench.request_rate,
        "burstiness": bench.burstiness,
        "max_concurrency": bench.max_concurrency,
        "duration": duration,
        "completed": len(ok),
        "failed": len(results) - len(ok),
        "total_input_tokens": in_tokens,
        "total_output_tokens": out_tokens,
        "request_throughput": len(ok) / duration if duration else 0.0,
        "output_throughput": out_tokens / duration if duration else 0.0,
        "total_token_throughput": (in_tokens + out_tokens) / duration if duration else 0.0,
        "max_output_tokens_per_s": float(max(per_second.values(), default=0)),
        "max_concurrent_requests": peak,
        "mean_queue_ms": sum(queue_ms) / len(queue_ms) if queue_ms else 0.0,
        "p99_queue_ms": percentile(queue_ms, 99),
        "token_source": "usage" if ok and all(r.token_source == "usage" for r in ok) else "chunks",
    }
    for name, xs in (("ttft", ttft), ("tpot", tpot), ("itl", itl), ("e2el", e2el)):
        m.update(summary(name, xs))
    return m
