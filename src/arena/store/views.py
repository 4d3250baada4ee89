"""Read-side shapes the store returns: one build with everything attached."""

from __future__ import annotations

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
    runs: list[RunView] = field(default_factory=list)  # every suite, newest first


class DatasetInfo(TypedDict):
    """Who to credit for a loaded dataset, under which licence, from where."""

    attribution: str | None
    license: str | None
    source: str | None
