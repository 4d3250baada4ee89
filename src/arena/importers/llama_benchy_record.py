"""llama-benchy's per-point rows as one parsed file, and the bench record they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
# One (prompt_tokens, depth, concurrency) point: ROW_KEYS plus the file it came from; token counts
# are int, metrics float, absent values None. Stored as is in BenchRecord.rows.
Row = dict[str, float | str | None]


@dataclass(frozen=True)
class ParsedClosed:
    """One llama-benchy output file: merged pp+tg rows and where they came from."""

    file: str
    rows: list[Row]
    tool_version: str | None = None
    date: str | None = None
    command: str | None = None
    model: str | None = None
    skipped: list[str] = field(default_factory=list)


def metric(row: Row, key: str) -> float | None:
    """A number of the row, None when absent."""
    value = row.get(key)
    return float(value) if isinstance(value, int | float) else None


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
        only = next(iter(present)) if len(present) == 1 else None
        pp = only if isinstance(only, int) else None
    point = (pp, bench.depth, conc)
    ref = next(
        (r for r in parsed.rows if (r["prompt_tokens"], r["depth"], r["concurrency"]) == point),
        None,
    )
    if ref is None or metric(ref, "tg_tps_req") is None:
        raise ArenaError(
            f"{source_file}: bench '{bench.id}': no tg row at reference point "
            f"(pp={pp}, depth={bench.depth}, c={conc})"
        )
    e2e_ttft, ttfr = metric(ref, "e2e_ttft_ms"), metric(ref, "ttfr_ms")
    ttft = e2e_ttft if e2e_ttft is not None else ttfr
    notes = [NO_PERCENTILES]
    if e2e_ttft is None and ttfr is not None:
        notes.append("ttft_mean_ms from ttfr (no e2e_ttft in the file)")
    if parsed.skipped:
        notes.append(f"skipped context-prefill rows: {', '.join(parsed.skipped)}")
    return BenchRecord(
        bench_id=bench.id,
        tps_per_user=metric(ref, "tg_tps_req"),
        tps_total=metric(ref, "tg_tps_total"),
        ttft_p50_ms=None,
        ttft_p95_ms=None,
        ttft_mean_ms=ttft,
        std=metric(ref, "tg_tps_req_std"),
        source=Provenance(TOOL, parsed.tool_version, str(source_file), parsed.command, parsed.date),
        rows=[dict(r) for r in parsed.rows],
        notes=notes,
    )
