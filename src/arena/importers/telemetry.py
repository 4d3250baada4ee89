"""A bench's telemetry CSV (power, temperature every 10 s) into the energy it used per token."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from arena.errors import ArenaError
from arena.importers.common import read_text
from arena.importers.llama_benchy_record import Row
from arena.records import Energy

COLUMNS = ("elapsed_s", "power_w", "temp_c")
SPAN = "telemetry sample span (last elapsed_s)"


@dataclass(frozen=True)
class Telemetry:
    """The samples of one CSV reduced to what energy needs."""

    file: str
    samples: int
    mean_power_w: float
    peak_power_w: float
    peak_temp_c: float | None
    span_s: float  # last elapsed_s: sampling starts with the bench


def _number(where: str, column: str, text: str | None) -> float:
    """One cell as a finite number, or a one-line error naming file, line and column."""
    try:
        value = float(text or "")
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ArenaError(f"{where}: column '{column}': expected a number, got {text!r}")
    return value


def read_telemetry(path: Path) -> Telemetry | None:
    """Mean and peak power, peak temperature and span; None for a CSV without samples."""
    reader = csv.DictReader(read_text(path).splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ArenaError(f"{path}: missing column(s) {', '.join(missing)}; expected {COLUMNS}")
    power: list[float] = []
    temp: list[float] = []
    elapsed = 0.0
    for rec in reader:
        where = f"{path}:{reader.line_num}"
        elapsed = _number(where, "elapsed_s", rec["elapsed_s"])
        power.append(_number(where, "power_w", rec["power_w"]))
        if rec["temp_c"]:
            temp.append(_number(where, "temp_c", rec["temp_c"]))
    if not power:
        return None
    return Telemetry(
        path.name,
        len(power),
        sum(power) / len(power),
        max(power),
        max(temp) if temp else None,
        elapsed,
    )


def energy(
    t: Telemetry, duration_s: float | None, duration_source: str | None, tokens: int | None
) -> Energy:
    """J/token = mean power x duration / output tokens; tok/s per W = (tokens/duration) / W."""
    # tokens / duration is the output tok/s over the same span (for vllm bench serve exactly
    # its output_throughput), so tokens_per_watt is 1 / J per token.
    per_token = per_watt = None
    if duration_s and tokens and t.mean_power_w > 0:
        per_token = t.mean_power_w * duration_s / tokens
        per_watt = tokens / duration_s / t.mean_power_w
    return Energy(
        mean_power_w=round(t.mean_power_w, 2),
        peak_power_w=t.peak_power_w,
        samples=t.samples,
        source=t.file,
        peak_temp_c=t.peak_temp_c,
        duration_s=duration_s,
        duration_source=duration_source,
        output_tokens=tokens,
        joules_per_output_token=round(per_token, 4) if per_token is not None else None,
        tokens_per_watt=round(per_watt, 4) if per_watt is not None else None,
    )


def closed_loop_tokens(rows: list[Row], runs: int | None) -> int | None:
    """Output tokens of a llama-benchy file: per tg row, runs x concurrency x tg tokens."""
    # Each run of a (pp, depth, c) point sends c requests that each generate tg tokens; the
    # warm-up batch is not counted (llama-benchy reports no tokens for it).
    if runs is None:
        return None
    total = 0
    for row in rows:
        tg, conc = row.get("output_tokens"), row.get("concurrency")
        if isinstance(tg, int) and isinstance(conc, int):
            total += runs * conc * tg
    return total or None
