"""Open-loop results summed up as vllm bench serve's --save-result fields."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NotRequired, TypedDict

from arena.bench.http import RequestResult, error_counts, token_source
from arena.bench.metrics import percentile, summary
from arena.catalog.types import Bench


class JobCaps(TypedDict):
    """The profile's per-request caps on planned lengths."""

    max_prompt_tokens: int | None
    max_output_tokens: int | None


class OpenMetrics(TypedDict):
    """vllm bench serve's --save-result fields, plus client queue time, token source, errors."""

    num_prompts: int
    request_rate: float | None
    burstiness: float
    max_concurrency: int | None
    duration: float
    completed: int
    failed: int
    total_input_tokens: int
    total_output_tokens: int
    request_throughput: float
    output_throughput: float
    total_token_throughput: float
    max_output_tokens_per_s: float
    max_concurrent_requests: int
    peak_in_flight: int
    mean_queue_ms: float
    p99_queue_ms: float
    token_source: str
    errors: dict[str, int]
    ignore_eos: NotRequired[bool]
    job_caps: NotRequired[JobCaps]
    mean_ttft_ms: float
    median_ttft_ms: float
    std_ttft_ms: float
    p50_ttft_ms: float
    p90_ttft_ms: float
    p95_ttft_ms: float
    p99_ttft_ms: float
    mean_tpot_ms: float
    median_tpot_ms: float
    std_tpot_ms: float
    p50_tpot_ms: float
    p90_tpot_ms: float
    p95_tpot_ms: float
    p99_tpot_ms: float
    mean_itl_ms: float
    median_itl_ms: float
    std_itl_ms: float
    p50_itl_ms: float
    p90_itl_ms: float
    p95_itl_ms: float
    p99_itl_ms: float
    mean_e2el_ms: float
    median_e2el_ms: float
    std_e2el_ms: float
    p50_e2el_ms: float
    p90_e2el_ms: float
    p95_e2el_ms: float
    p99_e2el_ms: float


def vllm_max_concurrent_requests(spans: list[tuple[float, float]]) -> int:
    """vllm bench serve's max_concurrent_requests: most successful requests in one 1 s bucket."""
    # Buckets are seconds since the first start; a request counts in every bucket from int(start)
    # to int(end) inclusive.
    if not spans:
        return 0
    t0 = min(s for s, _ in spans)
    n_buckets = math.ceil(max(e for _, e in spans) - t0) + 1
    buckets = [0] * n_buckets
    for s, e in spans:
        for sec in range(int(s - t0), min(int(e - t0) + 1, n_buckets)):
            buckets[sec] += 1
    return max(buckets)


def open_metrics(
    bench: Bench, results: list[RequestResult], duration: float, peak: int, queue_ms: list[float]
) -> OpenMetrics:
    """The fields of vllm bench serve's --save-result JSON (plus queue time and token source)."""
    # max_concurrent_requests is vllm's 1-second-bucket figure; peak_in_flight is the most
    # requests this client had open at one instant (failed ones included).
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
    spans = [(r.t_send, r.t_done) for r in ok if r.t_done is not None]
    st: dict[str, float] = {}
    for name, xs in (("ttft", ttft), ("tpot", tpot), ("itl", itl), ("e2el", e2el)):
        st.update(summary(name, xs))
    return OpenMetrics(
        num_prompts=len(results),
        request_rate=bench.request_rate,
        burstiness=bench.burstiness,
        max_concurrency=bench.max_concurrency,
        duration=duration,
        completed=len(ok),
        failed=len(results) - len(ok),
        total_input_tokens=in_tokens,
        total_output_tokens=out_tokens,
        request_throughput=len(ok) / duration if duration else 0.0,
        output_throughput=out_tokens / duration if duration else 0.0,
        total_token_throughput=(in_tokens + out_tokens) / duration if duration else 0.0,
        max_output_tokens_per_s=float(max(per_second.values(), default=0)),
        max_concurrent_requests=vllm_max_concurrent_requests(spans),
        peak_in_flight=peak,
        mean_queue_ms=sum(queue_ms) / len(queue_ms) if queue_ms else 0.0,
        p99_queue_ms=percentile(queue_ms, 99),
        token_source=token_source(results),
        errors=error_counts(results),
        mean_ttft_ms=st["mean_ttft_ms"],
        median_ttft_ms=st["median_ttft_ms"],
        std_ttft_ms=st["std_ttft_ms"],
        p50_ttft_ms=st["p50_ttft_ms"],
        p90_ttft_ms=st["p90_ttft_ms"],
        p95_ttft_ms=st["p95_ttft_ms"],
        p99_ttft_ms=st["p99_ttft_ms"],
        mean_tpot_ms=st["mean_tpot_ms"],
        median_tpot_ms=st["median_tpot_ms"],
        std_tpot_ms=st["std_tpot_ms"],
        p50_tpot_ms=st["p50_tpot_ms"],
        p90_tpot_ms=st["p90_tpot_ms"],
        p95_tpot_ms=st["p95_tpot_ms"],
        p99_tpot_ms=st["p99_tpot_ms"],
        mean_itl_ms=st["mean_itl_ms"],
        median_itl_ms=st["median_itl_ms"],
        std_itl_ms=st["std_itl_ms"],
        p50_itl_ms=st["p50_itl_ms"],
        p90_itl_ms=st["p90_itl_ms"],
        p95_itl_ms=st["p95_itl_ms"],
        p99_itl_ms=st["p99_itl_ms"],
        mean_e2el_ms=st["mean_e2el_ms"],
        median_e2el_ms=st["median_e2el_ms"],
        std_e2el_ms=st["std_e2el_ms"],
        p50_e2el_ms=st["p50_e2el_ms"],
        p90_e2el_ms=st["p90_e2el_ms"],
        p95_e2el_ms=st["p95_e2el_ms"],
        p99_e2el_ms=st["p99_e2el_ms"],
    )


def length_note(dist: Mapping[str, object]) -> str:
    """How the open loop treated output length (for a result's notes)."""
    if dist.get("ignore_eos"):
        return "output length forced (--ignore-eos: ignore_eos/min_tokens sent)"
    return "output length not forced (max_tokens only, as vllm bench serve without --ignore-eos)"
