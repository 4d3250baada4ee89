"""llama-benchy's per-point rows as one parsed file, and the bench record they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena.catalog import Bench
from arena.errors import ArenaError
from arena.records import BenchRecord, Provenance

TOOL = "llama-benchy"
METRICS = (
    "pp_tps_total",
    "pp_tps_req",
    "tg_tps_total",
    "tg_tps_req",
    "peak_tps",
    "peak_tps_req",
    "ttfr_ms",
    "est_ppt_ms",
    "e2e_ttft_ms",
)
ROW_KEYS = (
    "prompt_tokens",
    "depth",
    "concurrency",
    "output_tokens",
    *(k for m in METRICS for k in (m, f"{m}_std")),
)
NO_PERCENTILES = "llama-benchy reports mean ± std only: TTFT p50/p95 unknown"

Pair = tuple[float | None, float | None]


@dataclass(frozen=True)
class ParsedClosed:
    """One llama-benchy output file: merged pp+tg rows and where they came from."""

    file: str
    rows: list[dict[str, Any]]
    tool_version: str | None = None
    date: str | None = None
    command: str | None = None
    model: str | None = None
    skipped: list[str] = field(default_factory=list)


def to_record(parsed: ParsedClosed, bench: Bench, source_file: str | Path) -> BenchRecord:
    """Headline = tg 't/s (req)' at the bench's reference point; all rows kept."""
    conc = bench.reference_concurrency or max(bench.concurrency, default=0) or None
    present = {r["prompt_tokens"] for r in parsed.rows}
    pp: int | None
    if bench.reference_prompt_tokens is not None:
        pp = bench.reference_prompt_tokens
    elif bench.prompt_tokens:
        pp = bench.prompt_tokens[0]
    else:
        pp = next(iter(present)) if len(present) == 1 else None
    point = (pp, bench.depth, conc)
    ref = next(
        (r for r in parsed.rows if (r["prompt_tokens"], r["depth"], r["concurrency"]) == point),
        None,
    )
    if ref is None or ref["tg_tps_req"] is None:
        raise ArenaError(
            f"{source_file}: bench '{bench.id}': no tg row at reference point "
            f"(pp={pp}, depth={bench.depth}, c={conc})"
        )
    ttft = ref["e2e_ttft_ms"] if ref["e2e_ttft_ms"] is not None else ref["ttfr_ms"]
    notes = [NO_PERCENTILES]
    if ref["e2e_ttft_ms"] is None and ref["ttfr_ms"] is not None:
        notes.append("ttft_mean_ms from ttfr (no e2e_ttft in the file)")
    if parsed.skipped:
        notes.append(f"skipped context-prefill rows: {', '.join(parsed.skipped)}")
    return BenchRecord(
        bench_id=bench.id,
        tps_per_user=ref["tg_tps_req"],
        tps_total=ref["tg_tps_total"],
        ttft_p50_ms=None,
        ttft_p95_ms=None,
        ttft_mean_ms=ttft,
        std=ref["tg_tps_req_std"],
        source=Provenance(TOOL, parsed.tool_version, str(source_file), parsed.command, parsed.date),
        rows=[dict(r) for r in parsed.rows],
        notes=notes,
    )
