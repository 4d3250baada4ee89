"""Read and check a path of any importable kind before anything is written, then write it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

from arena.builds import BuildSpec
from arena.catalog import Bench, Catalog, load_catalog
from arena.dataset import FORMAT, FORMAT_V1, from_dict
from arena.errors import ArenaError
from arena.importers.common import load_json_object
from arena.importers.llama_benchy import parse_csv, parse_markdown
from arena.importers.llama_benchy_json import parse_json
from arena.importers.llama_benchy_record import to_record
from arena.importers.pending import (
    DatasetFile,
    ImportKind,
    ImportResult,
    OneResult,
    PendingImport,
    SuiteRuns,
)
from arena.importers.suite import read_suite
from arena.importers.vllm_bench import mismatches
from arena.importers.vllm_bench import parse as parse_vllm_bench
from arena.store import Store

CLOSED_LOOP_SUFFIXES = (".md", ".log", ".csv")


def suite_dirs(path: Path) -> list[Path]:
    """The run dir itself, or every dir below it holding a meta.json."""
    if not path.exists():
        raise ArenaError(f"{path}: no such file or directory")
    if (path / "meta.json").is_file():
        return [path]
    found = sorted(p.parent for p in path.rglob("meta.json"))
    if not found:
        raise ArenaError(f"{path}: no meta.json here or below; expected a suite run directory")
    return found


def detect_kind(path: Path) -> ImportKind:
    """A directory is a suite; .md/.log/.csv is llama-benchy; a JSON file says by its keys."""
    if path.is_dir():
        return ImportKind.SUITE
    suffix = path.suffix.lower()
    if suffix in CLOSED_LOOP_SUFFIXES:
        return ImportKind.LLAMA_BENCHY
    if suffix == ".json":
        data = load_json_object(path)
        if data.get("format") in (FORMAT, FORMAT_V1):
            return ImportKind.DATASET
        if "benchmarks" in data:
            return ImportKind.LLAMA_BENCHY
        if "median_tpot_ms" in data:
            return ImportKind.VLLM_BENCH
    raise ArenaError(
        f"{path}: cannot tell what this file holds; expected a suite run directory, a "
        "llama-benchy .md/.log/.csv/.json, a vllm bench serve JSON or an Arena dataset JSON"
    )


def check_bench(catalog: Catalog, bench: str, mode: str, tool: str) -> Bench:
    """The bench, which must exist and be of the loop kind the tool measures."""
    if bench not in catalog.benches:
        raise ArenaError(
            f"--bench {bench!r}: unknown bench; expected one of {', '.join(catalog.benches)}"
        )
    b = catalog.benches[bench]
    if b.mode == "sweep" and mode != "sweep":
        raise ArenaError(
            f"--bench {bench!r} is a rate sweep; its results come with a suite v2 run "
            "directory (use `arena import suite DIR`)"
        )
    if b.mode != mode:
        other = "vllm-bench" if b.mode == "open" else "llama-benchy"
        raise ArenaError(
            f"--bench {bench!r} is {'an' if b.mode == 'open' else 'a'} {b.mode}-loop bench; "
            f"{tool} results are {mode}-loop "
            f"(use `arena import {other}` for this bench)"
        )
    return b


def suite_of(catalog: Catalog, bench: str, suite: str | None) -> str:
    """The suite a single result is stored under: the one named, else the newest with the bench."""
    if suite is not None:
        if suite not in catalog.suites:
            raise ArenaError(
                f"--suite {suite!r}: unknown suite; expected one of {', '.join(catalog.suites)}"
            )
        has = catalog.suites[suite].bench_ids
        if bench not in has:
            raise ArenaError(f"--suite {suite!r} has no bench '{bench}'; it has {', '.join(has)}")
        return suite
    having = [s.id for s in catalog.suites.values() if bench in s.bench_ids]
    if not having:
        raise ArenaError(
            f"--bench {bench!r}: no suite has it; add one in the config file ([[suite]])"
        )
    return having[-1]


def read_suite_runs(
    path: Path,
    catalog: Catalog,
    on_run: Callable[[Path], object] | None = None,
    dirs: list[Path] | None = None,
) -> SuiteRuns:
    """Every run dir at or below `path` (or `dirs`, from suite_dirs) read; `on_run` after each."""
    runs = []
    for d in suite_dirs(path) if dirs is None else dirs:
        runs.append((d, read_suite(d, catalog)))
        if on_run is not None:
            on_run(d)
    return SuiteRuns(path, tuple(runs))


def read_llama_benchy(
    path: Path, bench: str, build: BuildSpec, catalog: Catalog, suite: str | None = None
) -> OneResult:
    """A llama-benchy .md/.log, .json or .csv file as the result of a closed-loop bench."""
    bench_def = check_bench(catalog, bench, "closed", "llama-benchy")
    in_suite = suite_of(catalog, bench, suite)
    if not path.is_file():
        raise ArenaError(f"{path}: no such file")
    suffix = path.suffix.lower()
    parsed = (
        parse_json(path)
        if suffix == ".json"
        else parse_csv(path)
        if suffix == ".csv"
        else parse_markdown(path)
    )
    record = to_record(parsed, bench_def, str(path))
    return OneResult(path, record, build, ImportKind.LLAMA_BENCHY, in_suite)


def read_vllm_bench(
    path: Path,
    bench: str,
    build: BuildSpec,
    catalog: Catalog,
    force: bool = False,
    suite: str | None = None,
) -> OneResult:
    """A `vllm bench serve` JSON as an open-loop result; a load unlike the bench's needs force."""
    bench_def = check_bench(catalog, bench, "open", "vllm-bench")
    in_suite = suite_of(catalog, bench, suite)
    if not path.is_file():
        raise ArenaError(f"{path}: no such file")
    record = parse_vllm_bench(path, bench, source_file=str(path))
    diff = mismatches(record, bench_def)
    if diff and not force:
        raise ArenaError(f"{path}: {'; '.join(diff)}; pass --force to import it as '{bench}'")
    if diff:
        note = "imported with --force: " + "; ".join(diff)
        record = dataclasses.replace(record, notes=[*record.notes, note])
    return OneResult(path, record, build, ImportKind.VLLM_BENCH, in_suite)


def read_dataset(path: Path) -> DatasetFile:
    """An Arena dataset JSON (what `arena export --format json` writes), checked entry by entry."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ArenaError(f"{path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise ArenaError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    except OSError as exc:
        raise ArenaError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ArenaError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return DatasetFile(path, from_dict(data, origin=str(path)))


def read_path(
    path: Path,
    kind: ImportKind | None = None,
    *,
    bench: str | None = None,
    build: BuildSpec | None = None,
    force: bool = False,
    catalog: Catalog | None = None,
    on_run: Callable[[Path], object] | None = None,
    suite: str | None = None,
) -> PendingImport:
    """Everything the path holds, read and checked; nothing written (kind None: detected)."""
    kind = detect_kind(path) if kind is None else kind
    if kind is ImportKind.DATASET:
        return read_dataset(path)
    cat = catalog if catalog is not None else load_catalog()
    if kind is ImportKind.SUITE:
        return read_suite_runs(path, cat, on_run)
    if bench is None or build is None:
        raise ArenaError(f"{path}: a {kind} file holds one result; give its bench and build")
    if kind is ImportKind.LLAMA_BENCHY:
        return read_llama_benchy(path, bench, build, cat, suite)
    return read_vllm_bench(path, bench, build, cat, force, suite)


def import_path(
    path: Path,
    store: Store,
    kind: ImportKind | None = None,
    *,
    bench: str | None = None,
    build: BuildSpec | None = None,
    force: bool = False,
    catalog: Catalog | None = None,
    on_run: Callable[[Path], object] | None = None,
    suite: str | None = None,
) -> ImportResult:
    """Read and check everything at `path` first, then write it into the store (a single
    result as a run of `suite`, default the newest suite that has its bench)."""
    pending = read_path(
        path,
        kind,
        bench=bench,
        build=build,
        force=force,
        catalog=catalog,
        on_run=on_run,
        suite=suite,
    )
    return pending.write(store)
