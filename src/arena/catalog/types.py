"""Plain catalog records shared by scoring, store and CLI (no I/O here)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Literal

Mode = Literal["closed", "open", "sweep"]


@dataclass(frozen=True)
class Bench:
    """One workload; its headline is tok/s per user at the reference point."""

    id: str
    title: str
    mode: Mode
    prompt_tokens: tuple[int, ...]
    output_tokens: int
    depth: int = 0
    concurrency: tuple[int, ...] = ()
    reference_concurrency: int | None = None
    reference_prompt_tokens: int | None = None
    runs: int = 3
    request_rate: float | None = None
    burstiness: float = 1.0
    num_prompts: int | None = None
    max_concurrency: int | None = None
    range_ratio: float = 0.0
    dataset: str = "random"
    seed: int = 42
    # Sweep: one open-loop step per offered rate (ascending); each step sends
    # max(min_step_prompts, rate x step_seconds) requests, as suite v2's runner sized them.
    request_rates: tuple[float, ...] = ()
    step_seconds: float | None = None
    min_step_prompts: int = 1
    ttft_p95_limits_ms: tuple[float, ...] = ()
    stop_factor: float | None = None  # stop after a step whose p95 TTFT > largest limit x this
    # Suite v1's file letters of this bench, derived from suites.toml for display (not set in
    # benches.toml): 'A' and ('B',) for big-context.
    letter: str | None = None
    extra_letters: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuiteBench:
    """Where one bench's results sit in a run directory of a suite (globs, no extension)."""

    bench: str
    files: tuple[str, ...]  # part stems; the first part is the bench's source file
    telemetry: str | None = None  # CSV sampled while the bench ran
    step_files: str | None = None  # per-rate results of a rate sweep


@dataclass(frozen=True)
class Suite:
    """A published layout of benches and the file names each bench's results carry."""

    id: str
    title: str
    benches: tuple[SuiteBench, ...]
    known_files: tuple[str, ...] = ()  # kept by a run but not results (meta.json, logs)

    @property
    def bench_ids(self) -> tuple[str, ...]:
        """The suite's benches in its own order."""
        return tuple(b.bench for b in self.benches)


@dataclass(frozen=True)
class Preset:
    """Weights per dimension and the benches whose mean headline is the throughput."""

    id: str
    title: str
    quality: float
    throughput: float
    efficiency: float
    benches: tuple[str, ...]
    ttft_bench: str
    measure: str = "tps_per_user"  # what G ranks: headline tok/s, or e.g. capacity_rps_5s

    def within(self, benches: Collection[str]) -> Preset:
        """This preset over the benches a suite has (a suite without them leaves none)."""
        kept = tuple(b for b in self.benches if b in benches)
        ttft = self.ttft_bench if self.ttft_bench in benches else (kept or (self.ttft_bench,))[0]
        return replace(self, benches=kept, ttft_bench=ttft)

    @property
    def weights(self) -> Weights:
        """The three weights as one value."""
        return Weights(self.quality, self.throughput, self.efficiency)


@dataclass(frozen=True)
class Weights:
    """wq, wg, we: fractions that sum to 1."""

    quality: float
    throughput: float
    efficiency: float


@dataclass(frozen=True)
class Bucket:
    """A cohort by total parameters: min_b <= params < max_b by default (bounds optional);
    `min_exclusive` / `max_inclusive` flip an edge, e.g. medium 8-40B holding exactly 40B."""

    id: str
    title: str
    min_b: float | None = None
    max_b: float | None = None
    min_exclusive: bool = False
    max_inclusive: bool = False
    params_unknown: bool = False  # the cohort of builds whose parameter count nobody knows

    def contains(self, params_b: float | None) -> bool:
        """True when a build of this size belongs to the cohort."""
        if self.params_unknown:
            return params_b is None
        if self.min_b is None and self.max_b is None:
            return True
        if params_b is None:
            return False
        if self.min_b is not None and (
            params_b < self.min_b or (self.min_exclusive and params_b == self.min_b)
        ):
            return False
        if self.max_b is None:
            return True
        return params_b < self.max_b or (self.max_inclusive and params_b == self.max_b)


@dataclass(frozen=True)
class HardwareProfile:
    """A box's memory and peak memory bandwidth, for "fits my box" and the roofline."""

    id: str
    name: str
    memory_gb: float
    memory_bandwidth_gbs: float
    source: str
    note: str | None = None


@dataclass(frozen=True)
class CostConfig:
    """The user's prices ([cost] in the config file) that turn measured energy, and the box's
    price when given, into cost per million output tokens."""

    electricity_per_kwh: float
    source: str  # the config file the prices were read from
    currency: str = "USD"
    hardware_price: float | None = None
    hardware_lifetime_years: float | None = None
    hours_per_day: float = 24.0


@dataclass(frozen=True)
class Catalog:
    """All benches, suites, presets and buckets in effect (built-in plus user config)."""

    benches: dict[str, Bench] = field(default_factory=dict)
    presets: dict[str, Preset] = field(default_factory=dict)
    buckets: dict[str, Bucket] = field(default_factory=dict)
    quality_prefer: dict[str, tuple[str, ...]] = field(default_factory=dict)
    suites: dict[str, Suite] = field(default_factory=dict)  # oldest first
    hardware: dict[str, HardwareProfile] = field(default_factory=dict)
    cost: CostConfig | None = None  # only the user's config file gives one

    def size_bucket(self, params_b: float | None) -> str | None:
        """The first bounded bucket that holds this size (the build's own size class)."""
        for bucket in self.buckets.values():
            bounded = bucket.min_b is not None or bucket.max_b is not None
            if (bounded or bucket.params_unknown) and bucket.contains(params_b):
                return bucket.id
        return None
