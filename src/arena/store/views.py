"""Read-side shapes the store returns: one build with everything attached."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# pydantic (the API's summary embeds this) accepts only typing_extensions.TypedDict before 3.12.
from typing_extensions import TypedDict

from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    HardwareInfo,
    QualityRecord,
    RunInfo,
)


@dataclass(frozen=True)
class RunView:
    """A stored run: its facts, when it was stored, which benches it holds and which have a
    headline (a bench without one is a failed attempt and never ranked)."""

    run: RunInfo
    recorded_at: str
    benches: tuple[str, ...]
    good: tuple[str, ...]
    submitted_by: str | None = None  # the board host that sent it; None = measured here
    submitted_at: str | None = None
    retracted_at: str | None = None  # a retracted run is listed but never ranked
    retract_reason: str | None = None
    content_hash: str | None = None
    results: Mapping[str, BenchRecord] = field(default_factory=dict, repr=False, compare=False)

    @property
    def retracted(self) -> bool:
        """Retracted by a board admin: kept in history, never picked."""
        return self.retracted_at is not None

    @property
    def order_key(self) -> tuple[str, str, str]:
        """Newer sorts later: the measurement date, else when it was stored."""
        return (self.run.date or self.recorded_at, self.recorded_at, self.run.id)


@dataclass(frozen=True)
class BuildView:
    """A build as seen in one suite (or all when `suite` is None): per bench the newest result
    with a headline, the run each came from, every run of the build and quality numbers."""

    build: BuildInfo
    hardware: HardwareInfo
    base: BaseModelInfo | None
    origin: str
    results: dict[str, BenchRecord] = field(default_factory=dict)
    quality: list[QualityRecord] = field(default_factory=list)
    suite: str | None = None
    run: RunInfo | None = None  # the run most ranked results came from
    result_runs: dict[str, str] = field(default_factory=dict)  # bench id -> run id
    runs: list[RunView] = field(default_factory=list)  # every suite and hardware, newest first
    hardware_filter: str | None = None  # the hardware whose runs the results came from, if one
    complete: bool = True  # False: results without raw rows and distribution (a ranking's read)


class DatasetInfo(TypedDict):
    """Who to credit for a loaded dataset, under which licence, from where."""

    attribution: str | None
    license: str | None
    source: str | None
