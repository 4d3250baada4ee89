"""The suite: check the server, sanity-check the model, run each bench, store it at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from arena import __version__
from arena.bench.client import RequestResult
from arena.bench.closed import Target, run_closed
from arena.bench.open_loop import run_open
from arena.bench.open_plan import plan
from arena.bench.request import token_source
from arena.bench.sanity import (
    SANITY_PROMPT,
    pick_model,
    probe_force_length,
    sanity_check,
    served_models,
    suspect_reason,
)
from arena.catalog.types import Bench
from arena.errors import ArenaError
from arena.records import BenchRecord, Provenance

__all__ = [
    "SANITY_PROMPT",
    "UNRELIABLE",
    "Progress",
    "ServerGone",
    "SuiteContext",
    "closed_record",
    "open_record",
    "pick_model",
    "probe_force_length",
    "run_bench",
    "sanity_check",
    "served_models",
    "suspect_reason",
]

UNRELIABLE = 0.10


class ServerGone(ArenaError):
    """The server is not there any more: refused a whole bench, or went away during one."""


@dataclass
class Progress:
    """Callbacks the CLI wires to Rich bars (no-ops by default)."""

    start: Callable[[Bench, int], None] = lambda b, n: None
    request: Callable[[Bench, RequestResult], None] = lambda b, r: None
    done: Callable[[Bench, BenchRecord], None] = lambda b, r: None


@dataclass
class SuiteContext:
    """Everything a bench run needs besides the bench."""

    target: Target
    seed: int
    command: str
    server_meta: dict[str, Any]
    sharegpt: Path | None = None
    suspect: str | None = None
    notes: list[str] = field(default_factory=list)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _quality_notes(completed: int, failed: int, errors: list[str]) -> list[str]:
    notes = []
    total = completed + failed
    if total and failed / total > UNRELIABLE:
        notes.append(f"unreliable: {failed}/{total} requests failed (> {UNRELIABLE:.0%})")
    if errors:
        first = sorted(set(errors), key=errors.index)[:5]
        notes.append("errors: " + " | ".join(first))
    return notes


def _gone(errors: list[str], completed: int) -> bool:
    return (
        completed == 0 and bool(errors) and all(e.startswith("connection refused") for e in errors)
    )


async def _alive(t: Target) -> bool:
    """Does the server still answer GET /models? Any HTTP answer (or a slow one) counts."""
    suffix = "/chat/completions" if t.endpoint == "chat" else "/completions"
    try:
        async with asyncio.timeout(t.timeouts.connect):
            async with t.session.get(t.url.removesuffix(suffix) + "/models") as resp:
                await resp.read()
    except TimeoutError:
        return True
    except (aiohttp.ClientError, OSError):
        return False
    return True


async def run_bench(ctx: SuiteContext, bench: Bench, progress: Progress) -> BenchRecord:
    """Measure one bench and turn it into a record with provenance."""
    t = ctx.target
    errors: list[str] = []
    prov = Provenance("arena", __version__, None, ctx.command, _now())
    notes = list(ctx.notes)
    if ctx.suspect:
        notes.append(f"suspect: sanity check failed ({ctx.suspect})")
    meta = {
        "bench": _bench_dict(bench),
        "server": ctx.server_meta,
        "seed": ctx.seed,
        "endpoint": t.endpoint,
        "prompt_lengths": t.prompts.method,
    }
    if bench.mode == "closed":
        total = len(bench.prompt_tokens) * sum(bench.concurrency) * bench.runs
        progress.start(bench, total)
        seen: list[RequestResult] = []

        def on_result(r: RequestResult) -> None:
            seen.append(r)
            progress.request(bench, r)

        rows, completed, failed = await run_closed(t, bench, ctx.seed, on_result, errors)
        if _gone(errors, completed):
            raise ServerGone(f"server at {t.url} refused every request of bench '{bench.id}'")
        if failed and not await _alive(t):
            raise ServerGone(f"server at {t.url} went away during bench '{bench.id}'")
        notes += _quality_notes(completed, failed, errors)
        notes.append(f"output tokens counted from {token_source(seen)}")
        rec = closed_record(bench, rows, completed, failed, prov, notes, meta)
    else:
        jobs, plan_notes = await plan(t, bench, ctx.seed, ctx.sharegpt)
        progress.start(bench, len(jobs))
        dist, results = await run_open(t, bench, jobs, lambda r: progress.request(bench, r))
        errors = [r.error or "unknown error" for r in results if not r.ok]
        if _gone(errors, dist["completed"]):
            raise ServerGone(f"server at {t.url} refused every request of bench '{bench.id}'")
        if errors and not await _alive(t):
            raise ServerGone(f"server at {t.url} went away during bench '{bench.id}'")
        notes += plan_notes + _quality_notes(dist["completed"], dist["failed"], errors)
        rec = open_record(bench, dist, prov, notes, meta)
    progress.done(bench, rec)
    return rec


def _bench_dict(bench: Bench) -> dict[str, Any]:
    from dataclasses import asdict

    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(bench).items()}


def closed_record(
    bench: Bench,
    rows: list[dict[str, Any]],
    completed: int,
    failed: int,
    prov: Provenance,
    notes: list[str],
    meta: dict[str, Any],
) -> BenchRecord:
    """Headline = mean tg tok/s per request at the reference point, like the importer."""
    pp = bench.reference_prompt_tokens or (bench.prompt_tokens[0] if bench.prompt_tokens else None)
    c = bench.reference_concurrency
    ref = next((r for r in rows if r["prompt_tokens"] == pp and r["concurrency"] == c), None)
    ok = ref is not None and ref["tg_tps_req"] is not None
    if not ok:
        notes = [*notes, "no successful request at the reference point"]
    short = [
        r
        for r in rows
        if r.get("mean_output_tokens") and r["mean_output_tokens"] < 0.95 * bench.output_tokens
    ]
    if short:
        got = min(r["mean_output_tokens"] for r in short)
        notes = [
            *notes,
            f"length not forced: server stopped early (mean {got:.0f} of "
            f"{bench.output_tokens} tokens); ignore_eos/min_tokens not honoured",
        ]
    return BenchRecord(
        bench_id=bench.id,
        tps_per_user=ref["tg_tps_req"] if ok and ref else None,
        tps_total=ref["tg_tps_total"] if ok and ref else None,
        ttft_p50_ms=ref["ttft_p50_ms"] if ok and ref else None,
        ttft_p95_ms=ref["ttft_p95_ms"] if ok and ref else None,
        ttft_mean_ms=ref["e2e_ttft_ms"] if ok and ref else None,
        std=ref["tg_tps_req_std"] if ok and ref else None,
        source=prov,
        rows=rows,
        distribution=meta,
        completed=completed,
        failed=failed,
        notes=notes,
    )


def open_record(
    bench: Bench, dist: dict[str, Any], prov: Provenance, notes: list[str], meta: dict[str, Any]
) -> BenchRecord:
    """Headline = 1000 / median TPOT ms (what one user feels), as for imported vllm-bench runs."""
    tpot = dist.get("median_tpot_ms") or 0.0
    tps = 1000.0 / tpot if tpot > 0 and math.isfinite(tpot) else None
    if tps is None:
        notes = [*notes, "no TPOT measured (no request produced 2+ tokens)"]
    return BenchRecord(
        bench_id=bench.id,
        tps_per_user=tps,
        tps_total=dist["output_throughput"],
        ttft_p50_ms=dist["p50_ttft_ms"] if dist["completed"] else None,
        ttft_p95_ms=dist["p95_ttft_ms"] if dist["completed"] else None,
        ttft_mean_ms=dist["mean_ttft_ms"] if dist["completed"] else None,
        std=None,
        source=prov,
        distribution={**dist, **meta},
        completed=dist["completed"],
        failed=dist["failed"],
        notes=[*notes, f"output tokens counted from {dist['token_source']}"],
    )
