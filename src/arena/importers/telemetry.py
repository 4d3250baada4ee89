"""A bench's telemetry CSV (power, temperature every 10 s) read into a power summary."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from arena.energy import PowerSummary, summarize
from arena.errors import ArenaError
from arena.importers.common import read_text
from arena.importers.llama_benchy_record import Row

COLUMNS = ("elapsed_s", "power_w", "temp_c")
SPAN = "telemetry sample span (last elapsed_s)"


@dataclass(frozen=True)
class Telemetry:
    """The samples of one CSV reduced to what energy needs (arena.energy does the arithmetic)."""

    file: str
    power: PowerSummary
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
    summary = summarize(power, temp)
    return Telemetry(path.name, summary, elapsed) if summary is not None else None


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
