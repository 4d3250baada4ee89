"""The JSON shapes of the API catalog and summary answers (FastAPI validates and documents them)."""

# Numbers read from TOML keep their int or float form (`int | float`): a float-only field would
# make pydantic write `max_b = 8` as 8.0.

from __future__ import annotations

from typing import NotRequired

# pydantic (FastAPI response models) accepts only typing_extensions.TypedDict before Python 3.12.
from typing_extensions import TypedDict

from arena.catalog.types import Mode
from arena.service.suites import HardwareEntry
from arena.store.views import DatasetInfo


class ErrorBody(TypedDict):
    """An API error: what was wrong and, where useful, the valid values."""

    error: str
    valid: NotRequired[list[str]]


class InvalidBody(ErrorBody):
    """A 422: a parameter the API could not read (`detail` lists every problem) or weights that
    do not add up."""

    detail: NotRequired[list[dict[str, object]]]


class HardwareSummary(TypedDict):
    """A box in the page headline: `short` is the name up to its first ' · '."""

    id: str
    name: str
    short: str


class SuiteSummary(TypedDict):
    """A suite with data: its benches in order, its newest run date and the hardware with
    data in it (builds per hardware, most first: the first is the default cohort)."""

    id: str
    title: str
    builds: int
    hardware: list[HardwareEntry]
    benches: list[str]
    latest_run: str | None


class Summary(TypedDict):
    """Headline facts: counts, hardware, datasets, latest run, and the suites with data
    (`suite` is the one shown by default: the newest catalog suite with data)."""

    builds: int
    base_models: int
    hardware: list[HardwareSummary]
    benches_total: int
    latest_run: str | None
    datasets: dict[str, DatasetInfo]
    suite: str | None
    suites: list[SuiteSummary]


class PresetWeights(TypedDict):
    """A preset's weights as written in its TOML."""

    quality: int | float
    throughput: int | float
    efficiency: int | float


class PresetInfo(TypedDict):
    """A preset as data: weights, benches, TTFT bench."""

    id: str
    title: str
    weights: PresetWeights
    benches: list[str]
    ttft_bench: str
    measure: str


class BenchInfo(TypedDict):
    """Every field of `arena.catalog.Bench`, in its order (a test checks the match)."""

    id: str
    title: str
    mode: Mode
    prompt_tokens: tuple[int, ...]
    output_tokens: int
    depth: int
    concurrency: tuple[int, ...]
    reference_concurrency: int | None
    reference_prompt_tokens: int | None
    runs: int
    request_rate: int | float | None
    burstiness: int | float
    num_prompts: int | None
    max_concurrency: int | None
    range_ratio: int | float
    dataset: str
    seed: int
    request_rates: tuple[int | float, ...]
    step_seconds: int | float | None
    min_step_prompts: int
    ttft_p95_limits_ms: tuple[int | float, ...]
    stop_factor: int | float | None
    letter: str | None
    extra_letters: tuple[str, ...]


class BucketInfo(TypedDict):
    """Every field of `arena.catalog.Bucket`, in its order (a test checks the match)."""

    id: str
    title: str
    min_b: int | float | None
    max_b: int | float | None
    min_exclusive: bool
    max_inclusive: bool
    params_unknown: bool


class HardwareProfileInfo(TypedDict):
    """Every field of `arena.catalog.HardwareProfile`, in its order."""

    id: str
    name: str
    memory_gb: int | float
    memory_bandwidth_gbs: int | float
    source: str
    note: str | None
