"""Derive the bundled dataset from suite run dirs plus curated base-model facts."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from arena.builds import fill_build
from arena.catalog import Catalog
from arena.errors import ArenaError
from arena.importers.pending import with_dir
from arena.importers.suite import read_suite
from arena.records import (
    QUALITY_METRICS,
    BaseModelInfo,
    Dataset,
    HardwareInfo,
    QualityRecord,
)

NAME = "dgx-spark-benchmarks-v1"
ATTRIBUTION = "Data: Django de Vreng, djangodevreng.nl, CC-BY-4.0"
SOURCE = "https://github.com/djangodevreng/dgx-spark-benchmarks (commit bb332d2, suite v1)"
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


def build_dataset(
    results_root: Path,
    base_models_toml: Path,
    catalog: Catalog,
    on_run: Callable[[Path], object] | None = None,
) -> Dataset:
    """Import every run dir under results_root and join the curated base-model facts."""
    bases, quality = read_base_models(base_models_toml)
    by_id = {b.id: b for b in bases}
    hardware: dict[str, HardwareInfo] = {}
    builds = []
    for meta in sorted(results_root.rglob("meta.json")):
        imp = read_suite(meta.parent, catalog)
        hardware[imp.hardware.id] = imp.hardware
        rel = meta.parent.relative_to(results_root.parent).as_posix()
        results = with_dir(rel, imp.results)
        builds.append((fill_build(imp.build, by_id.get(imp.build.base_model)), results))
        if on_run:
            on_run(meta.parent)
    used = {b.base_model for b, _ in builds}
    return Dataset(
        name=NAME,
        attribution=ATTRIBUTION,
        license="CC-BY-4.0",
        source=SOURCE,
        hardware=list(hardware.values()),
        base_models=[b for b in bases if b.id in used],
        quality=[q for q in quality if q.base_model in used],
        builds=builds,
    )
