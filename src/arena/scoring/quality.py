"""Which quality number counts per metric, and the Quality dimension's raw mean."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CORE_METRICS = ("mmlu_pro", "gpqa_diamond")
CODING_METRICS = ("humaneval", "livecodebench")
DEFAULT_PREFERENCE = ("measured", "imported", "artificial-analysis", "model-card")


@dataclass(frozen=True)
class QualityValue:
    """One stored quality number as scoring needs it."""

    metric: str
    value: float
    kind: str
    for_build: bool = False


def pick_quality(
    values: Iterable[QualityValue],
    preference: Sequence[str] = DEFAULT_PREFERENCE,
    per_metric: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, QualityValue]:
    """Per metric, the value of the most preferred kind; a build's own beats its base model's."""
    ranks: dict[str, dict[str, int]] = {}
    best: dict[str, QualityValue] = {}
    for v in values:
        order = (per_metric or {}).get(v.metric, preference)
        rank = ranks.setdefault(v.metric, {kind: i for i, kind in enumerate(order)})
        if v.kind not in rank:
            continue
        cur = best.get(v.metric)
        key = (rank[v.kind], not v.for_build)
        if cur is None or key < (rank[cur.kind], not cur.for_build):
            best[v.metric] = v
    return best


def quality_parts(chosen: dict[str, float]) -> dict[str, float]:
    """MMLU-Pro, GPQA and one coding number (HumanEval, else LiveCodeBench), where present."""
    parts = {m: chosen[m] for m in CORE_METRICS if m in chosen}
    for m in CODING_METRICS:
        if m in chosen:
            parts[m] = chosen[m]
            break
    return parts


def quality_raw(chosen: dict[str, float]) -> float | None:
    """Mean of the available parts (missing ones left out); None when there are none."""
    parts = quality_parts(chosen)
    if not parts:
        return None
    return sum(parts.values()) / len(parts)
