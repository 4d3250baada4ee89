"""Closed loop with llama-benchy's semantics: c requests start together, next batch when all end."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from arena.bench.client import (
    Endpoint,
    RequestResult,
    Timeouts,
    encode,
    payload,
    stream_request,
)
from arena.bench.metrics import mean, mean_std, percentile
from arena.bench.prompts import PromptMaker, words
from arena.catalog.types import Bench

TURN_WORDS = 48  # each prior turn of a multi-turn prompt: a user and an assistant message


@dataclass
class Target:
    """Where and how to send requests."""

    session: aiohttp.ClientSession
    url: str
    model: str
    endpoint: Endpoint
    timeouts: Timeouts
    prompts: PromptMaker
    force_length: bool = True


def peak_rate(times: list[float]) -> float:
    """Most chunks in any 1-second window starting at a chunk (llama-benchy's peak t/s)."""
    if not times:
        return 0.0
    ts = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(ts):
        while ts[j] < t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return float(best)


def batch_metrics(results: list[RequestResult], prompt_tokens: list[int]) -> dict[str, float]:
    """One run of c requests: per-request means and batch totals, llama-benchy's columns."""
    ok = [(r, p) for r, p in zip(results, prompt_tokens, strict=True) if r.ok]
    if not ok:
        return {}
    ttfts = [r.ttft for r, _ in ok if r.ttft]
    pp_req = [(r.prompt_tokens or p) / r.ttft for r, p in ok if r.ttft]
    t_send = min(r.t_send for r, _ in ok)
    first = max(r.t_first for r, _ in ok if r.t_first is not None)
    pp_total = sum(r.prompt_tokens or p for r, p in ok) / (first - t_send) if first > t_send else 0
    tg_req = [v for r, _ in ok if (v := r.decode_tps) is not None]
    t0 = min(r.t_first for r, _ in ok if r.t_first is not None)
    t1 = max(r.t_last for r, _ in ok if r.t_last is not None)
    gen = sum(max(0, r.output_tokens - 1) for r, _ in ok)
    all_times = [t for r, _ in ok for t in r.content_times]
    return {
        "pp_tps_req": mean(pp_req),
        "pp_tps_total": pp_total,
        "tg_tps_req": mean(tg_req),
        "tg_tps_total": gen / (t1 - t0) if t1 > t0 else 0.0,
        "peak_tps": peak_rate(all_times),
        "peak_tps_req": mean([peak_rate(r.content_times) for r, _ in ok]),
        "ttfr_ms": mean(ttfts) * 1000,
        "e2e_ttft_ms": mean(ttfts) * 1000,
        "output_tokens": mean([float(r.output_tokens) for r, _ in ok]),
    }


async def build_prompt(
    t: Target, tokens: int, depth: int, rng: random.Random
) -> tuple[str | list[dict[str, str]], int]:
    """The user prompt of `tokens` tokens after `depth` prior turns (chat history)."""
    text, n = await t.prompts.make(t.session, tokens, rng)
    if depth <= 0:
        return text, n
    history: list[dict[str, str]] = []
    for _ in range(depth):
        history.append({"role": "user", "content": words(rng, TURN_WORDS)})
        history.append({"role": "assistant", "content": words(rng, TURN_WORDS)})
    extra = round(2 * depth * TURN_WORDS * t.prompts.tokens_per_word)
    return [*history, {"role": "user", "content": text}], n + extra


async def run_closed(
    t: Target,
    bench: Bench,
    seed: int,
    on_request: Callable[[RequestResult], None],
    errors: list[str],
) -> tuple[list[dict[str, Any]], int, int]:
    """All (prompt size x concurrency x run) batches; rows with mean and *_std over runs."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    completed = failed = 0
    for pp in bench.prompt_tokens:
        for c in bench.concurrency:
            per_run: list[dict[str, float]] = []
            point_ttft: list[float] = []
            for _ in range(bench.runs):
                built = [await build_prompt(t, pp, bench.depth, rng) for _ in range(c)]
                bodies = [
                    encode(payload(t.model, t.endpoint, p, bench.output_tokens, t.force_length))
                    for p, _ in built
                ]
                results = await asyncio.gather(
                    *[stream_request(t.session, t.url, b, t.timeouts) for b in bodies]
                )
                for r in results:
                    on_request(r)
                    if r.ok:
                        completed += 1
                        if r.ttft is not None:
                            point_ttft.append(r.ttft * 1000)
                    else:
                        failed += 1
                        errors.append(r.error or "unknown error")
                m = batch_metrics(list(results), [n for _, n in built])
                if m:
                    per_run.append(m)
            row: dict[str, Any] = {
                "prompt_tokens": pp,
                "depth": bench.depth,
                "concurrency": c,
                "output_tokens": bench.output_tokens,
                "runs": len(per_run),
            }
            for key in (
                "pp_tps_total",
                "pp_tps_req",
                "tg_tps_total",
                "tg_tps_req",
                "peak_tps",
                "peak_tps_req",
                "ttfr_ms",
                "e2e_ttft_ms",
            ):
                m_, s_ = mean_std([r[key] for r in per_run])
                row[key], row[f"{key}_std"] = m_, s_
            row["est_ppt_ms"] = row["est_ppt_ms_std"] = None
            row["ttft_p50_ms"] = percentile(point_ttft, 50) if point_ttft else None
            row["ttft_p95_ms"] = percentile(point_ttft, 95) if point_ttft else None
            row["mean_output_tokens"] = mean([r["output_tokens"] for r in per_run])
            rows.append(row)
    return rows, completed, failed
