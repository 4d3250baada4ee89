"""One bench's power samples: its Energy record, its v2 telemetry CSV, or a statement why not."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from arena.energy import TELEMETRY_COLUMNS, energy, summarize
from arena.records import BenchRecord, Energy

WALL_TIME = "arena bench wall time of the bench (exact: measured from its start to its end)"
NOT_MEASURED = "power not measured"


class PowerSource(Protocol):
    """Where power samples come from while the suite runs (NVML sampler or a user's file)."""

    @property
    def source(self) -> str:
        """How the samples were taken, e.g. "NVML GPU 0, every 1 s"."""
        ...

    @property
    def reason(self) -> str | None:
        """Why no power is measured; None while samples are being taken."""
        ...

    def window(self, start: float, end: float) -> list[dict[str, float]]:
        """The samples between start and end (time.time() seconds)."""
        ...


@dataclass(frozen=True)
class BenchPower:
    """The samples of one bench's own window and what took them."""

    samples: list[dict[str, float]]
    start: float
    end: float
    source: str
    reason: str | None  # why power is not measured (no NVML, no GPU); None when sampled


def bench_power(power: PowerSource, start: float, end: float) -> BenchPower:
    """The samples within [start, end], each with its elapsed_s from the bench's start."""
    samples = [{**s, "elapsed_s": round(s["t"] - start, 3)} for s in power.window(start, end)]
    return BenchPower(samples, start, end, power.source, power.reason)


def output_tokens(rec: BenchRecord) -> int | None:
    """Output tokens the bench's successful requests produced (distribution total_output_tokens)."""
    value = rec.distribution.get("total_output_tokens")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def bench_energy(rec: BenchRecord, p: BenchPower) -> tuple[Energy | None, str | None]:
    """The bench's Energy from its samples and wall time, or None and a note saying why not."""
    if p.reason is not None:
        return None, f"{NOT_MEASURED}: {p.reason}"
    power = [s["power_w"] for s in p.samples if "power_w" in s]
    summary = summarize(power, [s["temp_c"] for s in p.samples if "temp_c" in s])
    if summary is None:
        if p.samples:
            return None, f"{NOT_MEASURED}: {p.source} gave no power reading (not supported)"
        seconds = p.end - p.start
        return None, f"{NOT_MEASURED}: no sample ({p.source}) within the bench's {seconds:.1f} s"
    tokens = output_tokens(rec)
    e = energy(summary, p.source, round(p.end - p.start, 3), WALL_TIME, tokens)
    note = None if tokens else "energy per token not given: no output tokens counted"
    return e, note


def with_power(rec: BenchRecord, p: BenchPower) -> BenchRecord:
    """The record with its samples in distribution["telemetry"], its Energy, and a note if none."""
    e, note = bench_energy(rec, p)
    dist = dict(rec.distribution)
    if p.samples:
        dist["telemetry"] = p.samples
    notes = [*rec.notes, note] if note else list(rec.notes)
    return dataclasses.replace(rec, distribution=dist, energy=e, notes=notes)


def _cell(value: float | None) -> str:
    """A number as written back exactly (integers without a decimal point); absent is empty."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def telemetry_csv(samples: Sequence[dict[str, float]]) -> str:
    """Samples (with elapsed_s) as suite v2's NN-telemetry.csv; a metric not read stays empty."""
    lines = [",".join(TELEMETRY_COLUMNS)]
    lines += [",".join(_cell(s.get(c)) for c in TELEMETRY_COLUMNS) for s in samples]
    return "\n".join(lines) + "\n"


def bench_number(bench_id: str, suite_ids: Sequence[str], run_ids: Sequence[str]) -> int:
    """NN of the bench's files: its position in the suite, else after the suite's benches."""
    # Suite v2 numbers its files by bench order (01-chat .. 11-rate-sweep); a bench outside the
    # suite (a bench file) follows them in the order this run lists it.
    if bench_id in suite_ids:
        return list(suite_ids).index(bench_id) + 1
    extra = [b for b in run_ids if b not in suite_ids]
    return len(suite_ids) + (extra.index(bench_id) + 1 if bench_id in extra else len(extra) + 1)


def power_line(power: PowerSource, measured: int, benches: int) -> str:
    """The run's one-line statement on power: how it was measured, or that it was not and why."""
    if power.reason is not None:
        return f"power: not measured ({power.reason}); energy per token left empty"
    return f"power: {power.source}; energy stored for {measured} of {benches} benches"
