"""`vllm bench serve --save-result` JSON (open loop) into one BenchRecord."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from arena.catalog.types import Bench
from arena.errors import ArenaError
from arena.importers.common import (
    is_number,
    load_json_object,
    optional_number,
    require_int,
    require_number,
)
from arena.records import BenchRecord, Provenance
from arena.verdicts import UNRELIABLE_SHARE, Flag, is_unreliable

TOOL = "vllm bench serve"
# Scalar fields of the saved result that we keep; per-request lists (--save-detailed) are not.
KNOWN_FIELDS = frozenset(
    {
        "date",
        "endpoint_type",
        "backend",
        "label",
        "model_id",
        "tokenizer_id",
        "num_prompts",
        "request_rate",
        "burstiness",
        "max_concurrency",
        "duration",
        "completed",
        "failed",
        "total_input_tokens",
        "total_output_tokens",
        "request_throughput",
        "request_goodput",
        "output_throughput",
        "total_token_throughput",
        "max_output_tokens_per_s",
        "max_concurrent_requests",
        "rtfx",
        "spec_decode_acceptance_length",
        "spec_decode_acceptance_rate",
        "spec_decode_accepted_tokens",
        "spec_decode_draft_tokens",
        "spec_decode_num_drafts",
    }
)
# mean/median/std and any --metric-percentiles value (p50, p99, p99.9) of each latency metric.
LATENCY_FIELD = re.compile(r"^(?:mean|median|std|p\d+(?:\.\d+)?)_(?:ttft|tpot|itl|e2el)_ms$")
ONE_RUN = "vllm bench serve is one run: no std across runs"
# A field of the saved result as kept: a number, a string (label, date), a flag or null.
Scalar = float | str | bool | None


def is_known_field(key: str) -> bool:
    """True for the fields a distribution keeps."""
    return key in KNOWN_FIELDS or LATENCY_FIELD.match(key) is not None


def distribution(data: Mapping[str, object]) -> dict[str, Scalar]:
    """Every known scalar field (number, string or null); lists and unknown keys are dropped."""
    kept: dict[str, Scalar] = {}
    for key, value in data.items():
        if is_known_field(key) and (
            value is None or isinstance(value, str | bool) or is_number(value)
        ):
            kept[key] = value
    return kept


def iso_date(stamp: object) -> str | None:
    """vLLM's '20260504-211249' as ISO '2026-05-04T21:12:49'; None when absent or unreadable."""
    if not isinstance(stamp, str):
        return None
    for fmt in ("%Y%m%d-%H%M%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(stamp.strip(), fmt).isoformat()
        except ValueError:
            continue
    return None


def mismatches(record: BenchRecord, bench: Bench) -> list[str]:
    """Load parameters of the file that differ from the bench it is imported as."""
    d = record.distribution
    out = []
    for key, want in (
        ("request_rate", bench.request_rate),
        ("burstiness", bench.burstiness),
        ("num_prompts", bench.num_prompts),
        ("max_concurrency", bench.max_concurrency),
    ):
        got = d.get(key)
        if key in d and got != want and not (got is None and want is None):
            out.append(f"{key} = {got!r} (bench '{bench.id}' has {want!r})")
    return out


def parse(
    path: Path, bench_id: str, command: str | None = None, source_file: str | None = None
) -> BenchRecord:
    """Headline = 1000 / median TPOT; TTFT p50/p95/mean and the whole scalar distribution."""
    data = load_json_object(path)
    where = str(path)
    median_tpot = require_number(where, data, "median_tpot_ms")
    output_throughput = require_number(where, data, "output_throughput")
    completed = require_int(where, data, "completed")
    failed = require_int(where, data, "failed") if data.get("failed") is not None else None
    p50 = optional_number(where, data, "p50_ttft_ms")
    if p50 is None:
        p50 = optional_number(where, data, "median_ttft_ms")
    notes = [ONE_RUN]
    if completed <= 0:
        raise ArenaError(f"{where}: field 'completed' = {completed}; expected at least 1 request")
    if median_tpot <= 0:
        raise ArenaError(f"{where}: field 'median_tpot_ms' = {median_tpot:g}; expected > 0")
    tps_per_user = 1000.0 / median_tpot
    if failed:
        notes.append(f"{failed} request(s) failed")
    flags = (Flag.UNRELIABLE,) if is_unreliable(completed, failed or 0) else ()
    if flags:
        total = completed + (failed or 0)
        notes.append(f"unreliable: {failed}/{total} requests failed (> {UNRELIABLE_SHARE:.0%})")
    date = iso_date(data.get("date"))
    if date is None and data.get("date") is not None:
        notes.append(f"unreadable date {data.get('date')!r}")
    return BenchRecord(
        bench_id=bench_id,
        tps_per_user=tps_per_user,
        tps_total=output_throughput,
        ttft_p50_ms=p50,
        ttft_p95_ms=optional_number(where, data, "p95_ttft_ms"),
        ttft_mean_ms=optional_number(where, data, "mean_ttft_ms"),
        std=None,
        source=Provenance(TOOL, None, source_file or path.name, command, date),
        distribution=distribution(data),
        completed=completed,
        failed=failed,
        notes=notes,
        flags=flags,
    )
