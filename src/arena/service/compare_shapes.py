"""The JSON shape of a comparison, as `arena compare --format json` and /api/compare emit it."""

# Key order here is the key order of the output (pydantic writes TypedDict keys in order).

from __future__ import annotations

# pydantic (FastAPI response models) accepts only typing_extensions.TypedDict before Python 3.12.
from typing_extensions import TypedDict

from arena.service.shapes import HardwareRef


class BuildRef(TypedDict):
    """A compared build: what names it and which run most of its numbers came from."""

    id: str
    name: str
    precision: str
    engine: str | None
    engine_version: str | None
    hardware: str
    run_id: str | None


class BenchCompare(TypedDict):
    """One bench across the builds; every list is in build order, index 0 the reference."""

    bench: str
    title: str
    unit: str
    measure: str
    values: list[float | None]
    spread: list[float | None]
    delta_pct: list[float | None]
    exceeds_spread: list[bool | None]
    verdict: list[str]
    run_ids: list[str | None]


class QualityCompare(TypedDict):
    """One quality metric across the builds: the number the leaderboard counts, with source."""

    metric: str
    values: list[float | None]
    kinds: list[str | None]
    sources: list[str | None]
    delta: list[float | None]


class VramEntry(TypedDict):
    """A build's memory footprint and how it was found."""

    gb: float | None
    method: str | None
    source: str | None


class ConfigDiff(TypedDict):
    """A server-config key whose values differ; a value is None where the build does not set it."""

    key: str
    values: list[str | None]


class RunPoint(TypedDict):
    """One run of a build with its headlines and the change since the run before it."""

    run_id: str
    suite: str
    hardware: str  # the hardware id; `previous` is the run before on this hardware
    date: str | None
    engine: str | None
    engine_version: str | None
    values: dict[str, float]
    previous: str | None
    same_suite: bool | None
    delta_pct: dict[str, float]
    exceeds_spread: dict[str, bool | None]


class BuildRuns(TypedDict):
    """Every run of one build, oldest first."""

    build: str
    runs: list[RunPoint]


class Comparison(TypedDict):
    """`arena compare --format json` and /api/compare."""

    suite: str | None
    hardware: HardwareRef  # every headline comes from runs on this hardware
    rule: str
    reference: str
    builds: list[BuildRef]
    benches: list[BenchCompare]
    quality: list[QualityCompare]
    vram: list[VramEntry]
    config_diff: list[ConfigDiff]
    runs_over_time: list[BuildRuns]
    runs_note: str
