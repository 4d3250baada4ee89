"""A closed-loop bench as a stored record: headline at the reference point, like the importer."""

from __future__ import annotations

from collections.abc import Mapping

from arena.bench.closed.loop import ClosedRow
from arena.catalog.types import Bench
from arena.records import BenchRecord, Provenance


def closed_record(
    bench: Bench,
    rows: list[ClosedRow],
    completed: int,
    failed: int,
    prov: Provenance,
    notes: list[str],
    meta: Mapping[str, object],
) -> BenchRecord:
    """Headline = mean tg tok/s per request at the reference point, like the importer."""
    pp = bench.reference_prompt_tokens or (bench.prompt_tokens[0] if bench.prompt_tokens else None)
    c = bench.reference_concurrency
    ref = next((r for r in rows if r["prompt_tokens"] == pp and r["concurrency"] == c), None)
    ok = ref is not None and ref["tg_tps_req"] is not None
    if ref is None or not ref["runs"]:
        notes = [*notes, "no successful request at the reference point"]
    elif not ok:
        notes = [*notes, "no decode rate at the reference point: every successful answer had "
                 "fewer than 2 tokens or all of them in one read, so no interval to divide by "
                 "(failed requests are not counted)"]  # fmt: skip
    for r in rows:
        if r.get("prefill_withheld"):
            notes = [
                *notes,
                f"prefill not derived at pp {r['prompt_tokens']} c {r['concurrency']}: requests "
                f"queued ({r['prefill_withheld']}); its TTFT includes the queue time",
            ]
    lengths = [m for r in rows if (m := r["mean_output_tokens"])]
    short = [m for m in lengths if m < 0.95 * bench.output_tokens]
    if short:
        got = min(short)
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
        rows=[dict(r) for r in rows],
        distribution=dict(meta),
        completed=completed,
        failed=failed,
        notes=notes,
    )
