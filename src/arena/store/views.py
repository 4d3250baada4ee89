"""Read-side shapes the store returns: one build with everything attached."""

from __future__ import annotations

from dataclasses import dataclass, field

# pydantic (the API's summary embeds this) accepts only typing_extensions.TypedDict before 3.12.
from typing_extensions import TypedDict

from arena.records import BaseModelInfo, BenchRecord, BuildInfo, HardwareInfo, QualityRecord


@dataclass(frozen=True)
class BuildView:
    """A build with its hardware, base model, results by bench id and quality numbers."""

    build: BuildInfo
    hardware: HardwareInfo
    base: BaseModelInfo | None
    origin: str
    results: dict[str, BenchRecord] = field(default_factory=dict)
    quality: list[QualityRecord] = field(default_factory=list)


class DatasetInfo(TypedDict):
    """Who to credit for a loaded dataset, under which licence, from where."""

    attribution: str | None
    license: str | None
    source: str | None
