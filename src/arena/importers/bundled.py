"""Derive the bundled dataset from suite run dirs plus curated base-model facts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from arena.builds import fill_build
from arena.catalog import Catalog
from arena.dataset import legacy_run
from arena.importers.curated import read_base_models
from arena.importers.pending import with_dir
from arena.importers.suite import read_suite
from arena.records import BuildInfo, BuildRun, Dataset, HardwareInfo

NAME = "dgx-spark-benchmarks-v1"
ATTRIBUTION = "Data: Django de Vreng, djangodevreng.nl, CC-BY-4.0"
SOURCE = "https://github.com/djangodevreng/dgx-spark-benchmarks (commit bb332d2, suite v1)"


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
    builds: list[BuildInfo] = []
    runs: list[BuildRun] = []
    for meta in sorted(results_root.rglob("meta.json")):
        imp = read_suite(meta.parent, catalog)
        hardware[imp.hardware.id] = imp.hardware
        rel = meta.parent.relative_to(results_root.parent).as_posix()
        results = with_dir(rel, imp.results)
        build = fill_build(imp.build, by_id.get(imp.build.base_model))
        builds.append(build)
        runs.append(BuildRun(build.id, imp.run or legacy_run(build), results))
        if on_run:
            on_run(meta.parent)
    used = {b.base_model for b in builds}
    return Dataset(
        name=NAME,
        attribution=ATTRIBUTION,
        license="CC-BY-4.0",
        source=SOURCE,
        hardware=list(hardware.values()),
        base_models=[b for b in bases if b.id in used],
        quality=[q for q in quality if q.base_model in used],
        builds=builds,
        runs=runs,
    )
