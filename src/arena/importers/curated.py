"""Curated base-model facts (base_models.toml), the source that wins over names."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from arena.errors import ArenaError
from arena.records import QUALITY_METRICS, BaseModelInfo, QualityRecord

BASE_FIELDS = (
    "vendor",
    "architecture",
    "arch_note",
    "params_total_b",
    "params_active_b",
    "card_url",
)


def read_base_models(path: Path) -> tuple[list[BaseModelInfo], list[QualityRecord]]:
    """base_models.toml: facts per HF id and model-card quality numbers with sources."""
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ArenaError(f"{path}: not valid TOML ({exc})") from exc
    bases: list[BaseModelInfo] = []
    quality: list[QualityRecord] = []
    for hf_id, entry in doc.items():
        facts = {k: entry.get(k) for k in BASE_FIELDS}
        bases.append(BaseModelInfo(id=hf_id, **facts))
        for metric, q in entry.get("quality", {}).items():
            where = f"{path}: [{hf_id}.quality.{metric}]"
            if metric not in QUALITY_METRICS:
                raise ArenaError(f"{where}: unknown metric; expected one of {QUALITY_METRICS}")
            value = q.get("value")
            if not isinstance(value, int | float) or not 0 <= value <= 100:
                raise ArenaError(f"{where}: value = {value!r}; expected a number 0-100")
            if not q.get("source"):
                raise ArenaError(f"{where}: missing 'source'; every number needs its source")
            quality.append(
                QualityRecord(
                    base_model=hf_id,
                    metric=metric,
                    value=float(value),
                    source=q["source"],
                    retrieved=q.get("retrieved"),
                    kind="model-card",
                    note=q.get("note"),
                )
            )
    return bases, quality


@lru_cache(maxsize=1)
def _package_bases() -> dict[str, BaseModelInfo]:
    """The bundled dataset's base_models.toml, read once."""
    path = Path(str(resources.files("arena.dataset").joinpath("base_models.toml")))
    return {b.id: b for b in read_base_models(path)[0]}


def curated_ids() -> frozenset[str]:
    """HF ids of the base models the package curates."""
    return frozenset(_package_bases())


def curated_base(stored: BaseModelInfo | None, base_id: str) -> BaseModelInfo | None:
    """The stored base when it has params, else the package's curated entry, else the stored."""
    if stored is not None and stored.params_total_b is not None:
        return stored
    return _package_bases().get(base_id) or stored
