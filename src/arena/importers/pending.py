"""Imports read and checked but not yet written, and what writing them into a store did."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from arena.builds import BuildSpec, ensure_build
from arena.importers.curated import curated_base
from arena.importers.params import fill_params
from arena.records import BenchRecord, BuildInfo, Dataset, QualityRecord, RunInfo, SuiteImport
from arena.store import Store


class ImportKind(StrEnum):
    """What a path holds; the values are the `arena import` sub-command names."""

    SUITE = "suite"
    LLAMA_BENCHY = "llama-benchy"
    VLLM_BENCH = "vllm-bench"
    DATASET = "dataset"


@dataclass(frozen=True)
class ImportedBuild:
    """One build as written, the results written with it, and what was absent or odd."""

    build: BuildInfo
    results: tuple[BenchRecord, ...]
    warnings: tuple[str, ...] = ()
    run: RunInfo | None = None  # the run written (suite imports)
    new: bool = True  # False when that run was stored already (same files)


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote: its builds with their results, and any quality numbers."""

    kind: ImportKind
    path: Path
    builds: tuple[ImportedBuild, ...]
    quality: tuple[QualityRecord, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every build's warnings, each prefixed with its build id."""
        return tuple(f"{b.build.id}: {w}" for b in self.builds for w in b.warnings)


def with_dir(folder: str, results: list[BenchRecord]) -> list[BenchRecord]:
    """Provenance names each file by `folder/name`, not only its name."""
    return [
        dataclasses.replace(
            r, source=dataclasses.replace(r.source, file=f"{folder}/{r.source.file}")
        )
        if r.source.file and "/" not in r.source.file
        else r
        for r in results
    ]


@dataclass(frozen=True)
class SuiteRuns:
    """Suite run directories, each read into a build and its results."""

    path: Path
    runs: tuple[tuple[Path, SuiteImport], ...]
    kind: ImportKind = ImportKind.SUITE

    def write(self, store: Store) -> ImportResult:
        """Each build completed from its base model or else its names, then written with results."""
        done: list[ImportedBuild] = []
        for run_dir, imp in self.runs:
            b = imp.build
            base = curated_base(store.base_model(b.base_model), b.base_model)
            build, note = fill_params(b, base, b.checkpoint or "", run_dir.resolve().parent.name)
            results = with_dir(str(run_dir.resolve()), imp.results)
            new = store.put_build(build, imp.hardware, results, run=imp.run)
            warnings = (*imp.warnings, note) if note else tuple(imp.warnings)
            done.append(ImportedBuild(build, tuple(results), warnings, imp.run, new))
        return ImportResult(self.kind, self.path, tuple(done))


@dataclass(frozen=True)
class OneResult:
    """One bench result from a file, for the build the spec names (created when new)."""

    path: Path
    record: BenchRecord
    build: BuildSpec
    kind: ImportKind

    def write(self, store: Store) -> ImportResult:
        """The stored build updated by the spec (or a new one), written with this result."""
        build, hardware = ensure_build(store, self.build)
        store.put_build(build, hardware, [self.record])
        return ImportResult(self.kind, self.path, (ImportedBuild(build, (self.record,)),))


@dataclass(frozen=True)
class DatasetFile:
    """An Arena dataset file, parsed and checked."""

    path: Path
    dataset: Dataset
    kind: ImportKind = ImportKind.DATASET

    def write(self, store: Store) -> ImportResult:
        """The whole dataset in one transaction."""
        store.load(self.dataset)
        by_id = {b.id: b for b in self.dataset.builds}
        builds = tuple(
            ImportedBuild(by_id[r.build_id], tuple(r.results)) for r in self.dataset.runs
        )
        return ImportResult(self.kind, self.path, builds, tuple(self.dataset.quality))


PendingImport = SuiteRuns | OneResult | DatasetFile
