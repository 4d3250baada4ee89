"""Suite v2's rate sweep (11-rate-sweep.json and its per-rate results) into one bench record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from arena.capacity import HEADLINE_LIMIT_MS, LIMITS_MS, capacity, headline_step
from arena.errors import ArenaError
from arena.importers.common import (
    is_number,
    load_json_object,
    optional_number,
    require_int,
    require_number,
)
from arena.importers.vllm_bench import TOOL, iso_date
from arena.records import BenchRecord, Provenance
from arena.verdicts import UNRELIABLE_SHARE, Flag, is_unreliable

RATE_IN_NAME = re.compile(r"-(\d+(?:\.\d+)?)\.json$")
# step key -> (field of the per-rate vllm result, decimals the sweep summary keeps)
CROSS = {
    "achieved_rps": ("request_throughput", 3),
    "completed": ("completed", 0),
    "ttft_p50_ms": ("p50_ttft_ms", 1),
    "ttft_p95_ms": ("p95_ttft_ms", 1),
    "ttft_p99_ms": ("p99_ttft_ms", 1),
    "output_tps": ("output_throughput", 1),
    "peak_concurrency": ("max_concurrent_requests", 0),
}


@dataclass
class Sweep:
    """The record of a sweep plus the figures energy needs."""

    record: BenchRecord
    duration_s: float | None  # sum of the steps' vllm `duration`, when every step has its file
    output_tokens: int | None  # sum of the steps' total_output_tokens, likewise
    files: list[Path] = field(default_factory=list)  # per-rate files read


def _step(where: str, raw: object) -> dict[str, float | int | None]:
    """One summary step in the record's keys."""
    if not isinstance(raw, dict):
        raise ArenaError(f"{where}: expected an object per step, got {raw!r}")
    completed = require_int(where, raw, "completed")
    return {
        "offered_rps": require_number(where, raw, "configured_rps"),
        "achieved_rps": optional_number(where, raw, "achieved_rps"),
        "completed": completed,
        "total": require_int(where, raw, "total_requests"),
        "ttft_p50_ms": optional_number(where, raw, "ttft_p50_ms"),
        "ttft_p95_ms": optional_number(where, raw, "ttft_p95_ms"),
        "ttft_p99_ms": optional_number(where, raw, "ttft_p99_ms"),
        "output_tps": optional_number(where, raw, "output_tps"),
        "peak_concurrency": _count(where, raw, "peak_concurrent"),
    }


def _count(where: str, raw: Mapping[str, object], key: str) -> int | None:
    """An integer field that may be absent or null."""
    value = optional_number(where, raw, key)
    return int(value) if value is not None and value == int(value) else None


def _file_capacity(where: str, data: Mapping[str, object]) -> dict[int, float | None]:
    """The file's own capacity_by_slo_ms as limit -> offered rate."""
    table = data.get("capacity_by_slo_ms")
    if not isinstance(table, dict):
        return {}
    out: dict[int, float | None] = {}
    for key, value in table.items():
        if not str(key).isdigit():
            raise ArenaError(f"{where}: capacity_by_slo_ms key {key!r}: expected milliseconds")
        rate = value.get("configured_rps") if isinstance(value, dict) else None
        out[int(key)] = float(rate) if is_number(rate) else None
    return out


def _per_rate(path: Path) -> tuple[float, dict[str, object]]:
    """A per-rate vllm result and the rate its name states."""
    match = RATE_IN_NAME.search(path.name)
    if match is None:
        raise ArenaError(f"{path}: expected a name ending in -<rate>.json")
    return float(match.group(1)), load_json_object(path)


def _cross_check(name: str, step: Mapping[str, object], vllm: Mapping[str, object]) -> list[str]:
    """Fields where summary step and per-rate result disagree at the summary's rounding."""
    out = []
    for key, (vkey, places) in CROSS.items():
        mine, theirs = step.get(key), vllm.get(vkey)
        if is_number(mine) and is_number(theirs) and round(theirs, places) != round(mine, places):
            out.append(f"{name}: {vkey} = {theirs:g}, sweep summary says {key} = {mine:g}")
    if is_number(step.get("total")) and vllm.get("num_prompts") != step.get("total"):
        out.append(f"{name}: num_prompts = {vllm.get('num_prompts')!r}, sweep says {step['total']}")
    return out


def parse_sweep(path: Path, step_files: list[Path], warnings: list[str]) -> Sweep | None:
    """Steps, capacity per limit (computed here, checked against the file's); None: no steps."""
    data = load_json_object(path)
    where = str(path)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list):
        raise ArenaError(f"{where}: field 'steps': expected a list, got {raw_steps!r}")
    if not raw_steps:
        warnings.append(f"{path.name}: no step was measured; bench 'rate-sweep' absent")
        return None
    steps = [_step(f"{where}: steps[{i}]", s) for i, s in enumerate(raw_steps)]
    per_rate: dict[float, tuple[dict[str, object], Path]] = {}
    for p in step_files:
        rate, result = _per_rate(p)
        per_rate[rate] = (result, p)
    by_rate = {float(s["offered_rps"] or 0): s for s in steps}
    duration = 0.0
    tokens = 0
    complete = True
    date = None
    for rate, (vllm, file) in sorted(per_rate.items()):
        step = by_rate.get(rate)
        if step is None:
            warnings.append(f"{file.name}: rate {rate:g} is not a step of {path.name}")
            continue
        warnings.extend(_cross_check(file.name, step, vllm))
        failed = vllm.get("failed")
        lost = int(step["total"] or 0) - int(step["completed"] or 0)
        if isinstance(failed, int) and failed != lost:
            warnings.append(f"{file.name}: failed = {failed}, sweep step lost {lost} request(s)")
        d, n = vllm.get("duration"), vllm.get("total_output_tokens")
        date = date or iso_date(vllm.get("date"))
        if is_number(d) and isinstance(n, int):
            duration += float(d)
            tokens += n
        else:
            complete = False
    missing = [s["offered_rps"] for s in steps if float(s["offered_rps"] or 0) not in per_rate]
    if missing:
        complete = False
        warnings.append(
            f"{path.name}: no per-rate result for step(s) {', '.join(f'{r:g}' for r in missing)}"
        )
    cap = capacity(steps, LIMITS_MS)
    theirs = _file_capacity(where, data)
    for entry in cap:
        limit = int(str(entry["ttft_p95_limit_ms"]))
        if limit in theirs and theirs[limit] != entry["offered_rps"]:
            warnings.append(
                f"{path.name}: capacity_by_slo_ms[{limit}] = {theirs[limit]!r}, "
                f"computed from its steps: {entry['offered_rps']!r}"
            )
    aborted = data.get("aborted_at_rps")
    notes = [
        "per-user tok/s not defined for a sweep: tps_total is the output tok/s at the "
        f"capacity for p95 TTFT under {HEADLINE_LIMIT_MS / 1000:g} s"
    ]
    if is_number(aborted):
        notes.append(
            f"sweep stopped at {aborted:g} req/s (server failed): capacity is a lower bound"
        )
    completed = sum(int(s["completed"] or 0) for s in steps)
    failed = sum(int(s["total"] or 0) - int(s["completed"] or 0) for s in steps)
    flags = (Flag.UNRELIABLE,) if is_unreliable(completed, failed) else ()
    if flags:
        notes.append(
            f"unreliable: {failed}/{completed + failed} requests failed (> {UNRELIABLE_SHARE:.0%})"
        )
    head = headline_step(steps, cap)
    record = BenchRecord(
        bench_id="rate-sweep",
        tps_per_user=None,
        tps_total=_float(head, "output_tps"),
        ttft_p50_ms=_float(head, "ttft_p50_ms"),
        ttft_p95_ms=_float(head, "ttft_p95_ms"),
        ttft_mean_ms=None,
        std=None,
        source=Provenance(TOOL, None, path.name, None, date),
        distribution={
            "steps": steps,
            "capacity": cap,
            "aborted_at_rps": float(aborted) if is_number(aborted) else None,
            "queue_knee_rps": data.get("queue_knee_rps")
            if is_number(data.get("queue_knee_rps"))
            else None,
        },
        completed=completed,
        failed=failed,
        notes=notes,
        flags=flags,
    )
    files = [f for _, f in per_rate.values()]
    ok = complete and duration > 0
    return Sweep(record, duration if ok else None, tokens if ok else None, files)


def _float(step: Mapping[str, object] | None, key: str) -> float | None:
    """A step's number, None without a step."""
    value = step.get(key) if step is not None else None
    return float(value) if is_number(value) else None
