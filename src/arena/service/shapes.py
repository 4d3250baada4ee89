"""The JSON shapes of the leaderboard and of one build, as the CLI and the API emit them."""

# Key order here is the key order of the output: the API validates build details against these
# types, and pydantic writes a TypedDict's keys in declaration order.

from __future__ import annotations

from collections.abc import Mapping, Sequence

# pydantic (FastAPI response models) accepts only typing_extensions.TypedDict before Python 3.12.
from typing_extensions import TypedDict

from arena.service.suites import SuiteEntry


class WeightsShape(TypedDict):
    """The three weights of a ranking, fractions that sum to 1."""

    quality: float
    throughput: float
    efficiency: float


class HardwareRef(TypedDict):
    """The box a build ran on."""

    id: str
    name: str


class SanityShape(TypedDict):
    """The sanity check of the run shown: ok, suspect (with the model's answer) or not-checked."""

    verdict: str
    answer: str | None


class CostBasis(TypedDict):
    """The user's prices that a cost figure used, the config file they came from, and the rule."""

    currency: str
    electricity_per_kwh: float
    hardware_price: float | None
    hardware_lifetime_years: float | None
    hours_per_day: float | None
    config: str
    rule: str


class CostFigures(TypedDict):
    """Cost per million output tokens of one bench and the measured inputs it came from."""

    per_mtok: float
    energy_per_mtok: float
    hardware_per_mtok: float | None
    joules_per_output_token: float
    output_tps: float | None


class BenchCost(CostFigures, CostBasis):
    """`cost` of a bench: the figures, then the prices and the rule they came from."""


class RowHead(TypedDict):
    """The fields of a leaderboard row that do not depend on the weights."""

    model: str
    name: str
    precision: str
    bucket: str | None
    quality_raw: float | None
    quality_parts: dict[str, float | None]
    quality_kinds: dict[str, str | None]
    throughput_tps: float | None
    benches_measured: int
    benches_total: int
    vram_gb: float | None
    vram_method: str | None
    efficiency_raw: float | None
    ttft_ms: float | None
    Q: float | None
    G: float | None
    E: float | None
    attribution: str | None
    suite: str | None
    run_id: str | None
    capacity_rps_5s: float | None
    joules_per_token: float | None
    energy_benches: int
    sanity: SanityShape
    cost_per_mtok: float | None
    reproduced: bool  # runs from two or more hosts agree (service/trust.py)
    hosts: int  # distinct hosts among the runs compared (a local run counts as 'local')


class RowTail(TypedDict):
    """The fields of a leaderboard row that the weights set."""

    score: float | None
    norm: float | None
    tier: str
    pareto: bool
    flags: list[str]


class BoardRow(RowHead, RowTail):
    """One ranked build: `rank`, then the RowHead fields, then the RowTail fields."""

    rank: int


class BoardEnvelope(TypedDict):
    """What a leaderboard says about itself, ahead of its rows."""

    preset: str
    bucket: str
    ttft_bench: str
    weights: WeightsShape
    frontier: list[str]
    attribution: list[str]
    latest_run: str | None
    suite: str | None
    suites: list[SuiteEntry]
    measure: str
    benches: list[str]
    max_vram_gb: float | None
    hidden_over_budget: int
    unknown_vram_kept: int
    cost: CostBasis | None
    hardware: HardwareRef | None  # the cohort: builds are compared on this hardware only


class Board(BoardEnvelope):
    """`arena leaderboard --format json` and /api/leaderboard."""

    rows: list[BoardRow]


class SourceShape(TypedDict):
    """Where a bench number came from."""

    tool: str
    tool_version: str | None
    file: str | None
    command: str | None
    date: str | None


class EnergyShape(TypedDict):
    """Power while a bench ran and the energy per output token it implies."""

    mean_power_w: float
    peak_power_w: float
    joules_per_output_token: float | None
    source: str
    samples: int
    peak_temp_c: float | None
    duration_s: float | None
    duration_source: str | None
    output_tokens: int | None
    tokens_per_watt: float | None


class CapacityShape(TypedDict):
    """A rate sweep's capacity at one p95-TTFT limit: offered_rps None when no step met it."""

    ttft_p95_limit_ms: float | None
    offered_rps: float | None
    achieved_rps: float | None
    ttft_p95_ms: float | None


class StepShape(TypedDict):
    """One offered rate of a rate sweep."""

    offered_rps: float | None
    achieved_rps: float | None
    completed: int | None
    total: int | None
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    ttft_p99_ms: float | None
    output_tps: float | None
    peak_concurrency: int | None


class RooflineShape(TypedDict):
    """A closed-loop bench's decode tok/s per user as a fraction of the memory-bandwidth bound."""

    bound_tps: float
    fraction: float
    note: str


class BenchDetail(TypedDict):
    """One bench result of a build; `rows` and `distribution` are the tool's own fields."""

    tps_per_user: float | None
    tps_total: float | None
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    ttft_mean_ms: float | None
    ttft_ms: float | None
    std: float | None
    completed: int | None
    failed: int | None
    rows: Sequence[Mapping[str, object]]
    distribution: Mapping[str, object]
    notes: list[str]
    source: SourceShape
    run_id: str | None
    flags: list[str]
    energy: EnergyShape | None
    capacity: list[CapacityShape] | None
    steps: list[StepShape] | None
    roofline: RooflineShape | None
    cost: BenchCost | None


class QualityEntry(TypedDict):
    """One quality number of a build with its source."""

    value: float
    kind: str
    source: str
    retrieved: str | None
    note: str | None
    details: Mapping[str, object] | None
    build_specific: bool


class SanityDetail(SanityShape):
    """A run's sanity check with why it was judged so and the file it came from."""

    reason: str | None
    source: str | None


class RetractedShape(TypedDict):
    """When and why a board admin retracted a run."""

    at: str
    reason: str | None


class RunEntry(TypedDict):
    """One stored run of a build (of any suite)."""

    id: str
    suite: str
    date: str | None
    engine_version: str | None
    engine: str | None
    hardware_id: str
    recorded_at: str
    origin: str
    benches: list[str]
    good: list[str]
    command: str | None
    source_dir: str | None
    tool_versions: Mapping[str, str]
    environment: Mapping[str, str]
    sanity: SanityDetail
    submitted_by: str | None  # board host that sent it; None = measured on this machine
    host: str  # submitter, "dataset:NAME" for a loaded dataset's run, else "local"
    submitted_at: str | None
    content_hash: str | None
    retracted: RetractedShape | None
    agreement: str | None  # "agrees" / "disagrees" with the shown result; None = not compared


class BuildDetail(TypedDict):
    """`arena show BUILD --format json` and /api/models/{id}."""

    id: str
    name: str
    base_model: str
    checkpoint: str | None
    vendor: str | None
    architecture: str | None
    params_total_b: float | None
    params_active_b: float | None
    precision: str
    bucket: str | None
    engine: str | None
    engine_version: str | None
    server_config: Mapping[str, object]
    hardware: HardwareRef
    vram_gb: float | None
    vram_method: str | None
    vram_source: str | None
    run_date: str | None
    origin: str
    card_url: str | None
    quality: dict[str, list[QualityEntry]]
    suite: str | None
    run_id: str | None
    sanity: SanityDetail
    runs: list[RunEntry]
    reproduced: bool  # runs from two or more hosts agree on this hardware in this suite
    hosts: int
    benches_total: int
    benches_measured: int
    benches: dict[str, BenchDetail | None]
