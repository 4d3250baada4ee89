"""Derive the bundled datasets from suite run dirs plus curated base-model facts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arena.catalog import Catalog
from arena.dataset import BUNDLED, legacy_run
from arena.importers.curated import read_base_models
from arena.importers.params import fill_params
from arena.importers.pending import with_dir, without_run_vram
from arena.importers.suite import read_suite
from arena.records import BuildInfo, BuildRun, Dataset, HardwareInfo

ATTRIBUTION = "Data: Django de Vreng, djangodevreng.nl, CC-BY-4.0"


@dataclass(frozen=True)
class Bundle:
    """One published dataset the package ships a derived copy of."""

    name: str
    data_dir: str  # under ../shared/data
    file: str  # under src/arena/dataset
    source: str


BUNDLES = (
    Bundle(
        "dgx-spark-benchmarks-v1",
        "dgx-spark-benchmarks-v1",
        BUNDLED["dgx-spark-benchmarks-v1"],
        "https://github.com/djangodevreng/dgx-spark-benchmarks (commit bb332d2, suite v1)",
    ),
    Bundle(
        "dgx-spark-benchmarks-v2",
        "dgx-spark-benchmarks-v2",
        BUNDLED["dgx-spark-benchmarks-v2"],
        "https://github.com/djangodevreng/dgx-spark-benchmarks (commit 5636536, suite v2, "
        "30 of its 38 runs)",
    ),
)


def build_dataset(
    results_root: Path,
    base_models_toml: Path,
    catalog: Catalog,
    on_run: Callable[[Path], object] | None = None,
    bundle: Bundle = BUNDLES[0],
) -> Dataset:
    """Import every run dir under results_root and join the curated base-model facts."""
    bases, quality = read_base_models(base_models_toml)
    by_id = {b.id: b for b in bases}
    hardware: dict[str, HardwareInfo] = {}
    builds: list[BuildInfo] = []
    runs: list[BuildRun] = []
    for meta in sorted(results_root.rglob("meta.json")):
        imp = read_suite(meta.parent, catalog)
        hardware[imp.hardware.id] = imp.hardware
        rel = meta.parent.relative_to(results_root.parent).as_posix()
        results = with_dir(rel, imp.results)
        b = without_run_vram(imp.build)
        build, _ = fill_params(
            b, by_id.get(b.base_model), b.checkpoint or "", meta.parent.parent.name
        )
        builds.append(build)
        run = imp.run or legacy_run(build)
        runs.append(BuildRun(build.id, dataclasses.replace(run, source_dir=rel), results))
        if on_run:
            on_run(meta.parent)
    used = {b.base_model for b in builds}
    return Dataset(
        name=bundle.name,
        attribution=ATTRIBUTION,
        license="CC-BY-4.0",
        source=bundle.source,
        hardware=list(hardware.values()),
        base_models=[b for b in bases if b.id in used],
        quality=[q for q in quality if q.base_model in used],
        builds=builds,
        runs=runs,
    )
