"""Energy per output token from power samples: one arithmetic for imports and `arena bench`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arena.records import Energy

# The telemetry CSV columns of suite v2 (dgx-spark-benchmarks-v2 ABOUT.md: "NN-telemetry.csv
# power (W), temperature, SM clock, GPU util, memory"), in its header's order.
TELEMETRY_COLUMNS = ("elapsed_s", "power_w", "temp_c", "sm_mhz", "gpu_util", "mem_used_mb")


@dataclass(frozen=True)
class PowerSummary:
    """The samples of one bench reduced to what energy needs."""

    samples: int
    mean_power_w: float
    peak_power_w: float
    peak_temp_c: float | None


def summarize(power_w: Sequence[float], temp_c: Sequence[float]) -> PowerSummary | None:
    """Mean and peak of the power samples, peak of the temperatures; None without a power sample."""
    if not power_w:
        return None
    return PowerSummary(
        len(power_w), sum(power_w) / len(power_w), max(power_w), max(temp_c) if temp_c else None
    )


def energy(
    p: PowerSummary,
    source: str,
    duration_s: float | None,
    duration_source: str | None,
    tokens: int | None,
) -> Energy:
    """J/token = mean power x duration / output tokens; tok/s per W = (tokens/duration) / W."""
    # tokens / duration is the output tok/s over the same span (for vllm bench serve exactly
    # its output_throughput), so tokens_per_watt is 1 / J per token.
    per_token = per_watt = None
    if duration_s and tokens and p.mean_power_w > 0:
        per_token = p.mean_power_w * duration_s / tokens
        per_watt = tokens / duration_s / p.mean_power_w
    return Energy(
        mean_power_w=round(p.mean_power_w, 2),
        peak_power_w=p.peak_power_w,
        samples=p.samples,
        source=source,
        peak_temp_c=p.peak_temp_c,
        duration_s=duration_s,
        duration_source=duration_source,
        output_tokens=tokens,
        joules_per_output_token=round(per_token, 4) if per_token is not None else None,
        tokens_per_watt=round(per_watt, 4) if per_watt is not None else None,
    )
