"""Read-side shapes the store returns: one build with everything attached."""

from __future__ import annotations

from dataclasses import dataclass, field

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
