"""One bench against the checked server: run its loop, judge the outcome, make the record."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from arena import __version__
from arena.bench.closed import closed_record, run_closed
from arena.bench.http import RequestResult, error_counts, token_source
from arena.bench.open import OpenOptions, open_record, plan, run_open
from arena.bench.suite.config import SuiteProgress
from arena.bench.sweep import planned_requests, run_sweep, sweep_record
from arena.bench.target import ServerGone, Target, server_alive
from arena.catalog.types import Bench
from arena.records import BenchRecord, Provenance
from arena.verdicts import UNRELIABLE_SHARE, ErrorKind, Flag, is_unreliable


@dataclass
class SuiteContext:
    """Everything a bench run needs besides the bench."""

    target: Target
    seed: int
    command: str
    server_meta: dict[str, object]
    sharegpt: Path | None = None
    suspect: str | None = None
    notes: list[str] = field(default_factory=list)
    options: OpenOptions = field(default_factory=OpenOptions)


def bench_params(bench: Bench) -> dict[str, object]:
    """The bench's parameters as stored in distribution["bench"] (tuples as lists)."""
    return {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(bench).items()
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _verdict(results: list[RequestResult]) -> tuple[list[str], list[Flag]]:
    """Notes for people and flags for code from the requests' outcome."""
    notes: list[str] = []
    flags: list[Flag] = []
    failed = [r for r in results if not r.ok]
    if is_unreliable(len(results) - len(failed), len(failed)):
        notes.append(
            f"unreliable: {len(failed)}/{len(results)} requests failed (> {UNRELIABLE_SHARE:.0%})"
        )
        notes.append("failed attempt: stored with its run, never as the build's result")
        flags += [Flag.FAILED, Flag.UNRELIABLE]
    if failed:
        notes.append("errors: " + " | ".join(list(error_counts(failed))[:5]))
    return notes, flags


async def _check_gone(t: Target, bench: Bench, results: list[RequestResult]) -> None:
    """ServerGone when the server refused every request, or stopped answering during the bench."""
    failed = [r for r in results if not r.ok]
    if results and len(failed) == len(results) and all(r.kind is ErrorKind.REFUSED for r in failed):
        raise ServerGone(f"server at {t.url} refused every request of bench '{bench.id}'")
    if failed and not await server_alive(t):
        raise ServerGone(f"server at {t.url} went away during bench '{bench.id}'")


async def run_bench(ctx: SuiteContext, bench: Bench, progress: SuiteProgress) -> BenchRecord:
    """Measure one bench and turn it into a record with provenance, notes and flags."""
    t = ctx.target
    prov = Provenance("arena", __version__, None, ctx.command, _now())
    meta = {
        "bench": bench_params(bench),
        "server": ctx.server_meta,
        "seed": ctx.seed,
        "endpoint": t.endpoint,
        "prompt_lengths": t.prompts.method,
    }

    head = list(ctx.notes)
    if ctx.suspect:
        head.append(f"suspect: sanity check failed ({ctx.suspect})")

    def on_request(r: RequestResult) -> None:
        progress.request(bench, r)

    if bench.mode == "closed":
        progress.bench_start(bench, len(bench.prompt_tokens) * sum(bench.concurrency) * bench.runs)
        rows, results = await run_closed(t, bench, ctx.seed, on_request)
        await _check_gone(t, bench, results)
        notes, flags = _verdict(results)
        notes = [*head, *notes, f"output tokens counted from {token_source(results)}"]
        ok = sum(r.ok for r in results)
        rec = closed_record(bench, rows, ok, len(results) - ok, prov, notes, meta)
        tokens = sum(r.output_tokens for r in results if r.ok)  # for energy per token
        rec = dataclasses.replace(
            rec,
            distribution={
                **rec.distribution,
                "errors": error_counts(results),
                "total_output_tokens": tokens,
            },
        )
    elif bench.mode == "sweep":
        progress.bench_start(bench, planned_requests(bench))

        def on_step(rate: float, n: int) -> None:
            progress.phase(bench, f"{rate:g} rps ({n} requests)")

        out = await run_sweep(t, bench, ctx.seed, ctx.sharegpt, ctx.options, on_request, on_step)
        await _check_gone(t, bench, out.results)
        notes, flags = _verdict(out.results)
        rec = sweep_record(bench, out, prov, [*head, *out.notes, *notes], meta)
    else:
        jobs, plan_notes = await plan(t, bench, ctx.seed, ctx.sharegpt, ctx.options)
        progress.bench_start(bench, len(jobs))
        dist, results = await run_open(t, bench, jobs, on_request, ctx.options)
        await _check_gone(t, bench, results)
        notes, flags = _verdict(results)
        rec = open_record(bench, dist, prov, [*head, *plan_notes, *notes], meta)
    if ctx.suspect:
        flags.insert(0, Flag.SUSPECT)
    rec = dataclasses.replace(rec, flags=tuple(flags))
    progress.bench_done(bench, rec)
    return rec
