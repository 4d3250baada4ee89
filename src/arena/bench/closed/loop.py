"""Closed loop with llama-benchy's semantics: c requests start together, next batch when all end."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from arena.bench.http import RequestResult, encode, payload, stream_request
from arena.bench.metrics import mean, mean_std, percentile
from arena.bench.target import Target, measure_latency
from arena.catalog.types import Bench

PEAK_WINDOW = 1.0  # seconds; llama-benchy's peak t/s window
USAGE_PROMPT_SLACK = 0.2  # usage.prompt_tokens replaces the expected count when within 20 %


def peak_rate(times: list[float], window: float = PEAK_WINDOW) -> float:
    """llama-benchy's peak t/s: most tokens in any `window` s ending at a token, per second."""
    # A burst shorter than the window is rated n / duration (dividing by a window it never
    # filled would put the peak below the mean); no observable interval (all tokens at one
    # instant, or one token) gives 0, which callers leave out.
    if not times:
        return 0.0
    ts = sorted(times)
    span = ts[-1] - ts[0]
    if span <= 0:
        return 0.0
    if span < window:
        return len(ts) / span
    best, j = 0, 0
    for i, t in enumerate(ts):
        while j < i and ts[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best / window


@dataclass
class Point:
    """Everything measured at one (prompt size, concurrency): pooled per request, per run."""

    pp_req: list[float] = field(default_factory=list)
    tg_req: list[float] = field(default_factory=list)
    peak_req: list[float] = field(default_factory=list)
    ttfr: list[float] = field(default_factory=list)
    est_ppt: list[float] = field(default_factory=list)
    e2e_ttft: list[float] = field(default_factory=list)
    output_tokens: list[float] = field(default_factory=list)
    pp_total: list[float] = field(default_factory=list)
    tg_total: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)
    runs: int = 0
    waited: bool = False  # a first token came after another request of its batch had ended

    def add_batch(self, results: list[RequestResult], expected: list[int], latency: float) -> None:
        """One run of c requests (llama-benchy results.py _process_batch)."""
        ok = [(r, e) for r, e in zip(results, expected, strict=True) if r.ok]
        if not ok:
            return
        self.runs += 1
        prompt_total = 0
        all_tokens: list[float] = []
        for r, e in ok:
            p = e
            if r.prompt_tokens and abs(r.prompt_tokens - e) < e * USAGE_PROMPT_SLACK:
                p = r.prompt_tokens
            prompt_total += p
            tokens = r.token_times()
            all_tokens += tokens
            if (peak := peak_rate(tokens)) > 0:
                self.peak_req.append(peak)
            if r.ttfr is not None:
                self.ttfr.append(r.ttfr)
            if r.ttft is not None:
                self.e2e_ttft.append(r.ttft)
                est = max(0.0, prefill_end(r) - latency)
                self.est_ppt.append(est)
                if est > 0:
                    self.pp_req.append(p / est)
            if (tg := r.decode_tps) is not None:
                self.tg_req.append(tg)
            self.output_tokens.append(float(r.output_tokens))
        t_send = min(r.t_send for r, _ in ok)
        firsts = [r.t_first for r, _ in ok if r.t_first is not None]
        ends = [r.t_done for r, _ in ok if r.t_done is not None]
        if firsts and ends and max(firsts) > min(ends):
            self.waited = True
        lasts = [r.t_last for r, _ in ok if r.t_last is not None]
        if firsts and max(firsts) > t_send:
            self.pp_total.append(prompt_total / (max(firsts) - t_send))
        gen = sum(max(0, r.output_tokens - 1) for r, _ in ok)
        if firsts and lasts and max(lasts) > min(firsts) and gen > 0:
            self.tg_total.append(gen / (max(lasts) - min(firsts)))
        if (peak := peak_rate(all_tokens)) > 0:
            self.peak.append(peak)


def prefill_end(r: RequestResult) -> float:
    """Seconds to the end of prefill: llama-benchy's ttfr (first chunk with `choices`), unless
    that chunk came well before the first text - a role-only chunk sent at once, before prefill
    (vllm#15106) - then the first text (e2e TTFT). vLLM and llama.cpp send the role chunk with
    the first token, so there ttfr is kept and pp matches llama-benchy. llama.cpp sends no role
    chunk when token 1 is part of a UTF-8 character; then ttfr is the first text, as is TTFT."""
    ttfr, ttft = r.ttfr or 0.0, r.ttft or 0.0
    return ttft if ttft - ttfr > 0.5 * ttft else ttfr


QUEUE_FACTOR = 1.5  # TTFT above this x c x the unloaded TTFT: the request waited in a queue


def queue_reason(pt: Point, concurrency: int, unloaded: float | None) -> str | None:
    """Why the point's TTFT holds queue time, so no prefill rate is derived from it; else None."""
    # Two signs, either suffices: a request's first token came after another request of the
    # same batch (same prompt size, same forced length) had finished, which concurrent service
    # never does; or a TTFT above QUEUE_FACTOR x c x the unloaded TTFT, longer than prefilling
    # all c prompts one after another would take.
    if concurrency <= 1 or not pt.e2e_ttft:
        return None
    if pt.waited:
        return "a first token came after another request of its batch had finished"
    worst = max(pt.e2e_ttft)
    if unloaded and worst > QUEUE_FACTOR * concurrency * unloaded:
        return (
            f"TTFT up to {worst * 1000:.0f} ms, over {QUEUE_FACTOR:g} x c {concurrency} x the "
            f"unloaded TTFT {unloaded * 1000:.0f} ms"
        )
    return None


PREFILL_KEYS = ("pp_tps_total", "pp_tps_req", "est_ppt_ms")


class PointRow(TypedDict):
    """llama-benchy 0.3's columns at one point: mean and *_std (None when nothing measured)."""

    pp_tps_total: float | None
    pp_tps_total_std: float | None
    pp_tps_req: float | None
    pp_tps_req_std: float | None
    tg_tps_total: float | None
    tg_tps_total_std: float | None
    tg_tps_req: float | None
    tg_tps_req_std: float | None
    peak_tps: float | None
    peak_tps_std: float | None
    peak_tps_req: float | None
    peak_tps_req_std: float | None
    ttfr_ms: float | None
    ttfr_ms_std: float | None
    est_ppt_ms: float | None
    est_ppt_ms_std: float | None
    e2e_ttft_ms: float | None
    e2e_ttft_ms_std: float | None
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    mean_output_tokens: float | None


class ClosedRow(PointRow):
    """One (prompt size, depth, concurrency) point of a closed-loop bench, as stored."""

    prompt_tokens: int
    depth: int
    concurrency: int
    output_tokens: int
    runs: int
    latency_ms: float
    unloaded_ttft_ms: float | None  # c = 1 at this prompt size, or one request sent alone
    prefill_withheld: str | None  # why no prefill rate is given (queueing evident), else None


def point_row(pt: Point, concurrency: int) -> PointRow:
    """mean and *_std as llama-benchy 0.3 reports them (numpy std, ddof=0)."""
    # Per-request columns (t/s (req), peak t/s (req), ttfr, est_ppt, e2e_ttft) pool every
    # request of every run; t/s (total) and peak t/s take one value per run. At c=1 llama-benchy
    # shows the per-request rates under t/s, so the total columns are the pooled ones there.
    single = concurrency == 1
    columns: dict[str, tuple[list[float], float]] = {
        "pp_tps_total": (pt.pp_req if single else pt.pp_total, 1.0),
        "pp_tps_req": (pt.pp_req, 1.0),
        "tg_tps_total": (pt.tg_req if single else pt.tg_total, 1.0),
        "tg_tps_req": (pt.tg_req, 1.0),
        "peak_tps": (pt.peak, 1.0),
        "peak_tps_req": (pt.peak_req, 1.0),
        "ttfr_ms": (pt.ttfr, 1000.0),
        "est_ppt_ms": (pt.est_ppt, 1000.0),
        "e2e_ttft_ms": (pt.e2e_ttft, 1000.0),
    }
    ms: dict[str, float | None] = {}
    for key, (values, scale) in columns.items():
        ms[key], ms[f"{key}_std"] = mean_std([v * scale for v in values])
    ttft_ms = [v * 1000 for v in pt.e2e_ttft]
    return PointRow(
        pp_tps_total=ms["pp_tps_total"],
        pp_tps_total_std=ms["pp_tps_total_std"],
        pp_tps_req=ms["pp_tps_req"],
        pp_tps_req_std=ms["pp_tps_req_std"],
        tg_tps_total=ms["tg_tps_total"],
        tg_tps_total_std=ms["tg_tps_total_std"],
        tg_tps_req=ms["tg_tps_req"],
        tg_tps_req_std=ms["tg_tps_req_std"],
        peak_tps=ms["peak_tps"],
        peak_tps_std=ms["peak_tps_std"],
        peak_tps_req=ms["peak_tps_req"],
        peak_tps_req_std=ms["peak_tps_req_std"],
        ttfr_ms=ms["ttfr_ms"],
        ttfr_ms_std=ms["ttfr_ms_std"],
        est_ppt_ms=ms["est_ppt_ms"],
        est_ppt_ms_std=ms["est_ppt_ms_std"],
        e2e_ttft_ms=ms["e2e_ttft_ms"],
        e2e_ttft_ms_std=ms["e2e_ttft_ms_std"],
        ttft_p50_ms=percentile(ttft_ms, 50) if ttft_ms else None,
        ttft_p95_ms=percentile(ttft_ms, 95) if ttft_ms else None,
        mean_output_tokens=mean(pt.output_tokens) if pt.output_tokens else None,
    )


async def build_prompt(
    t: Target, tokens: int, depth: int, rng: random.Random
) -> tuple[str | list[dict[str, str]], int]:
    """A user prompt of `tokens` tokens after `depth` tokens of prior context."""
    # As llama-benchy does (--depth N = N tokens of previous conversation): the context is a
    # text of `depth` tokens sent as a system message before the user message; the expected
    # prompt size is tokens + depth. The completions endpoint gets the context as a prefix.
    text, n = await t.prompts.make(t.session, tokens, rng)
    if depth <= 0:
        return text, n
    context, d = await t.prompts.make(t.session, depth, rng, nonce=False)
    if t.endpoint != "chat":
        return f"{context}\n\n{text}", n + d
    return [{"role": "system", "content": context}, {"role": "user", "content": text}], n + d


async def unloaded_ttft(t: Target, bench: Bench, tokens: int, seed: int) -> float | None:
    """TTFT of one request of this prompt size sent alone (max_tokens 1), not counted among the
    bench's requests; None when it fails."""
    rng = random.Random(f"unloaded-{seed}-{tokens}")  # the bench's own prompts stay as seeded
    prompt, _ = await build_prompt(t, tokens, bench.depth, rng)
    body = payload(t.model, t.endpoint, prompt, 1, force_length=False)
    res = await stream_request(t.session, t.url, body, t.timeouts)
    return res.ttft if res.ok else None


async def run_closed(
    t: Target,
    bench: Bench,
    seed: int,
    on_request: Callable[[RequestResult], None],
) -> tuple[list[ClosedRow], list[RequestResult]]:
    """Every (prompt size x concurrency x run) batch: one row per point, and each request."""
    # Results come back batch by batch, in send order within a batch. The unloaded TTFT of a
    # prompt size is the mean TTFT of its c = 1 point (points before it have none), or in a
    # bench without c = 1 that of one request sent alone before the first point (queue_reason).
    rng = random.Random(seed)
    if t.latency is None:
        t.latency = await measure_latency(t)
    rows: list[ClosedRow] = []
    seen: list[RequestResult] = []
    unloaded: dict[int, float] = {}
    for pp in bench.prompt_tokens:
        for c in bench.concurrency:
            alone = c > 1 and 1 not in bench.concurrency and pp not in unloaded
            if alone and (solo := await unloaded_ttft(t, bench, pp, seed)):
                unloaded[pp] = solo
            pt = Point()
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
                seen += results
                pt.add_batch(list(results), [n for _, n in built], t.latency)
            if c == 1 and pt.e2e_ttft and pp not in unloaded:
                unloaded[pp] = mean(pt.e2e_ttft)
            row = point_row(pt, c)
            why = queue_reason(pt, c, unloaded.get(pp))
            if why:
                for key in PREFILL_KEYS:
                    row[key] = row[f"{key}_std"] = None  # type: ignore[literal-required]
            base = unloaded.get(pp)
            rows.append(
                ClosedRow(
                    prompt_tokens=pp,
                    depth=bench.depth,
                    concurrency=c,
                    output_tokens=bench.output_tokens,
                    runs=pt.runs,
                    **row,
                    latency_ms=t.latency * 1000,
                    unloaded_ttft_ms=None if base is None else base * 1000,
                    prefill_withheld=why,
                )
            )
    return rows, seen
