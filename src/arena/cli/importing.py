"""`arena import ...`: read result files, check them all, then write in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from arena.builds import BuildSpec
from arena.catalog import Catalog
from arena.cli.common import (
    BaseModelOpt,
    DbOption,
    HardwareNameOpt,
    HardwareOpt,
    NameOpt,
    ParamsOpt,
    PrecisionOpt,
    VramOpt,
    catalog,
    console,
    err_console,
    open_store,
)
from arena.importers import (
    ImportedBuild,
    ImportResult,
    read_dataset,
    read_llama_benchy,
    read_suite_runs,
    read_vllm_bench,
    suite_dirs,
)

import_app = typer.Typer(
    help="Import results: a suite run dir, llama-benchy or vllm-bench files.", no_args_is_help=True
)


@import_app.command("suite")
def import_suite_cmd(
    path: Annotated[Path, typer.Argument(help="A run dir (meta.json + A_..J_ files) or a tree.")],
    db: DbOption = None,
) -> None:
    """Import suite run dirs like dgx-spark-benchmarks results/<family>/<model>/<precision>/."""
    dirs = suite_dirs(path)
    cat = catalog()
    store = open_store(db)
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("reading runs", total=len(dirs))
        runs = read_suite_runs(path, cat, lambda _: progress.advance(task), dirs)
    result = runs.write(store)
    for w in result.warnings:
        err_console.print(f"note: {w}", highlight=False)
    for b in result.builds:
        console.print(run_line(b, cat), highlight=False, markup=False)


def run_line(b: ImportedBuild, cat: Catalog) -> str:
    """One line per run: a new run with its bench count, or one stored already."""
    run = f"run {b.run.id} (suite {b.run.suite})" if b.run else "run"
    if not b.new:
        return f"{b.build.id}: {run} already stored (same files)"
    suite = cat.suites.get(b.run.suite) if b.run else None
    total = len(suite.bench_ids) if suite else len(cat.benches)
    return f"imported {b.build.id}: new {run}, {len(b.results)}/{total} benches"


Model = Annotated[
    str, typer.Option("--model", help="Build id the result belongs to (created if new).")
]
Bench = Annotated[str, typer.Option("--bench", help="Bench id, e.g. chat or reasoning.")]
Name = NameOpt
BaseModel = BaseModelOpt
Precision = PrecisionOpt
Params = ParamsOpt
Vram = VramOpt
Hw = HardwareOpt
HwName = HardwareNameOpt
InSuite = Annotated[
    str | None,
    typer.Option(
        "--suite",
        help="Suite the result's run is stored under; default: the newest suite with the bench.",
        show_default=False,
    ),
]


def _print_one(result: ImportResult) -> None:
    """The one result written and its headline."""
    (b,) = result.builds
    (rec,) = b.results
    tps = "no headline" if rec.tps_per_user is None else f"{rec.tps_per_user:.2f} tok/s per user"
    run = f"run {b.run.id} (suite {b.run.suite})" if b.run else "run"
    if not b.new:
        console.print(f"{b.build.id}: {run} already stored (same file)", highlight=False)
        return
    console.print(
        f"imported {rec.bench_id} for {b.build.id}: {tps} ({rec.source.file}); new {run}",
        highlight=False,
    )


@import_app.command("llama-benchy")
def import_llama_benchy(
    file: Annotated[
        Path, typer.Argument(help="llama-benchy output: markdown (.md/.log), .json or .csv.")
    ],
    model: Model,
    bench: Bench,
    name: Name = None,
    base_model: BaseModel = None,
    precision: Precision = None,
    params_b: Params = None,
    vram_gb: Vram = None,
    hardware: Hw = "local",
    hardware_name: HwName = None,
    suite: InSuite = None,
    db: DbOption = None,
) -> None:
    """Import one closed-loop result (llama-benchy 0.3 markdown, 0.4 json or csv)."""
    spec = BuildSpec(model, name, base_model, precision, params_b, vram_gb, hardware, hardware_name)
    pending = read_llama_benchy(file, bench, spec, catalog(), suite)
    _print_one(pending.write(open_store(db)))


@import_app.command("vllm-bench")
def import_vllm_bench(
    file: Annotated[Path, typer.Argument(help="JSON written by vllm bench serve --save-result.")],
    model: Model,
    bench: Bench,
    name: Name = None,
    base_model: BaseModel = None,
    precision: Precision = None,
    params_b: Params = None,
    vram_gb: Vram = None,
    hardware: Hw = "local",
    hardware_name: HwName = None,
    force: Annotated[
        bool, typer.Option(help="Import even when the file's load differs from the bench's.")
    ] = False,
    suite: InSuite = None,
    db: DbOption = None,
) -> None:
    """Import one open-loop result (vllm bench serve --save-result JSON)."""
    spec = BuildSpec(model, name, base_model, precision, params_b, vram_gb, hardware, hardware_name)
    pending = read_vllm_bench(file, bench, spec, catalog(), force=force, suite=suite)
    _print_one(pending.write(open_store(db)))


@import_app.command("dataset")
def import_dataset(
    file: Annotated[Path, typer.Argument(help="An Arena dataset JSON (from arena export).")],
    db: DbOption = None,
) -> None:
    """Load an Arena dataset file (the format `arena export --format json` writes)."""
    result = read_dataset(file).write(open_store(db))
    console.print(
        f"imported {len(result.builds)} builds, {len(result.quality)} quality numbers from {file}"
    )
