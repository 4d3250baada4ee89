"""Plain records passed between stages: importers and bench produce them, store keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from arena.verdicts import Flag

VramMethod = Literal["measured", "engine-log", "estimated", "manual"]
SanityVerdict = Literal["ok", "suspect", "not-checked"]
QualityKind = Literal["measured", "imported", "artificial-analysis", "model-card"]
QUALITY_METRICS = ("mmlu_pro", "gpqa_diamond", "humaneval", "livecodebench")


@dataclass(frozen=True)
class Provenance:
    """Where a number came from: tool and version, file, exact command line, date (ISO 8601)."""

    tool: str
    tool_version: str | None = None
    file: str | None = None
    command: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Energy:
    """Power drawn while one bench ran and the energy per output token it implies."""

    # joules_per_output_token = mean_power_w x duration_s / output_tokens; `duration_source`
    # says how the duration was obtained (tool-reported wall time or telemetry sample span).
    mean_power_w: float
    peak_power_w: float
    samples: int
    source: str
    peak_temp_c: float | None = None
    duration_s: float | None = None
    duration_source: str | None = None
    output_tokens: int | None = None
    joules_per_output_token: float | None = None
    tokens_per_watt: float | None = None


@dataclass(frozen=True)
class BenchRecord:
    """One build x bench result."""

    # Closed loop: rows are per (prompt_tokens, depth, concurrency) with llama-benchy's columns
    # as mean and *_std; headline = tg "t/s (req)" at the reference point; ttft_mean_ms from
    # e2e_ttft. Open loop: distribution holds vllm-bench's fields; headline = 1000 / median TPOT.

    bench_id: str
    tps_per_user: float | None
    tps_total: float | None
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    ttft_mean_ms: float | None
    std: float | None
    source: Provenance
    rows: list[dict[str, Any]] = field(default_factory=list)
    distribution: dict[str, Any] = field(default_factory=dict)
    completed: int | None = None
    failed: int | None = None
    notes: list[str] = field(default_factory=list)  # for people; code reads `flags`
    flags: tuple[Flag, ...] = ()
    energy: Energy | None = None


@dataclass(frozen=True)
class QualityRecord:
    """One quality number (0-100) for a base model, or for one build when measured on it."""

    base_model: str
    metric: str
    value: float
    source: str
    retrieved: str | None
    kind: QualityKind
    build_id: str | None = None
    note: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class BuildInfo:
    """A ranked unit: one model x precision x engine config on one hardware."""

    id: str
    name: str
    base_model: str
    precision: str
    hardware_id: str
    checkpoint: str | None = None
    vendor: str | None = None
    architecture: str | None = None
    params_total_b: float | None = None
    params_active_b: float | None = None
    engine: str | None = None
    engine_version: str | None = None
    server_config: dict[str, Any] = field(default_factory=dict)
    vram_gb: float | None = None
    vram_method: VramMethod | None = None
    vram_source: str | None = None
    run_date: str | None = None


@dataclass(frozen=True)
class HardwareInfo:
    """A box the builds ran on."""

    id: str
    name: str
    memory_gb: float | None = None  # GPU memory (unified memory on a DGX Spark or a Mac)


@dataclass(frozen=True)
class Sanity:
    """The model's answer to a short question before the suite, and the verdict on it."""

    verdict: SanityVerdict
    answer: str | None = None
    reason: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """One measurement of a build under one suite: never overwritten, identified by `id`."""

    # `id` is content-derived for imports (same files -> same id) and random for `arena bench`.
    id: str
    suite: str
    hardware_id: str
    date: str | None = None
    engine: str | None = None
    engine_version: str | None = None  # what the server reported, not the image tag
    server_config: dict[str, Any] = field(default_factory=dict)
    tool_versions: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)  # driver, vbios, image
    source_files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    source_dir: str | None = None
    command: str | None = None
    sanity: Sanity | None = None
    vram_gb: float | None = None
    vram_method: VramMethod | None = None
    vram_source: str | None = None
    origin: str = "user"

    @classmethod
    def of_build(cls, build: BuildInfo, run_id: str, suite: str) -> RunInfo:
        """A run carrying the facts a build row held before runs existed."""
        return cls(
            id=run_id,
            suite=suite,
            hardware_id=build.hardware_id,
            date=build.run_date,
            engine=build.engine,
            engine_version=build.engine_version,
            server_config=dict(build.server_config),
            vram_gb=build.vram_gb,
            vram_method=build.vram_method,
            vram_source=build.vram_source,
        )


@dataclass(frozen=True)
class SuiteImport:
    """Everything read from one suite run directory."""

    build: BuildInfo
    hardware: HardwareInfo
    results: list[BenchRecord]
    warnings: list[str] = field(default_factory=list)
    run: RunInfo | None = None


@dataclass(frozen=True)
class BaseModelInfo:
    """Curated facts about an unquantised base model."""

    id: str
    vendor: str | None = None
    architecture: str | None = None
    arch_note: str | None = None
    params_total_b: float | None = None
    params_active_b: float | None = None
    card_url: str | None = None


@dataclass(frozen=True)
class BuildRun:
    """One run of one build with the results it measured."""

    build_id: str
    run: RunInfo
    results: list[BenchRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Dataset:
    """Everything one dataset file holds; `name` tags its runs' origin."""

    name: str
    attribution: str | None
    license: str | None
    source: str | None
    hardware: list[HardwareInfo] = field(default_factory=list)
    base_models: list[BaseModelInfo] = field(default_factory=list)
    quality: list[QualityRecord] = field(default_factory=list)
    builds: list[BuildInfo] = field(default_factory=list)
    runs: list[BuildRun] = field(default_factory=list)
