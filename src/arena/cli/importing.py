"""`arena import ...`: read result files, check them all, then write in one transaction."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from arena.builds import BuildSpec, ensure_build, fill_build
from arena.catalog.types import Bench as BenchDef
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
from arena.dataset import from_dict
from arena.errors import ArenaError
from arena.importers import (
    import_suite,
    parse_csv,
    parse_json,
    parse_markdown,
    parse_vllm_bench,
    to_record,
)
from arena.importers.vllm_bench import mismatches
from arena.records import BenchRecord, BuildInfo, SuiteImport
from arena.store import Store

import_app = typer.Typer(
    help="Import results: a suite run dir, llama-benchy or vllm-bench files.", no_args_is_help=True
)


def run_dirs(path: Path) -> list[Path]:
    """The run dir itself, or every dir below it holding a meta.json."""
    if not path.exists():
        raise ArenaError(f"{path}: no such file or directory")
    if (path / "meta.json").is_file():
        return [path]
    found = sorted(p.parent for p in path.rglob("meta.json"))
    if not found:
        raise ArenaError(f"{path}: no meta.json here or below; expected a suite run directory")
    return found


def complete(store: Store, imp: SuiteImport) -> BuildInfo:
    """Params from the stored base model; VRAM estimated from params when no log gave it."""
    return fill_build(imp.build, store.base_model(imp.build.base_model))


def with_paths(run_dir: Path, results: list[BenchRecord]) -> list[BenchRecord]:
    """Provenance names the imported file by its full path, not only its name."""
    return [
        dataclasses.replace(
            r, source=dataclasses.replace(r.source, file=str(run_dir.resolve() / r.source.file))
        )
        if r.source.file and "/" not in r.source.file
        else r
        for r in results
    ]


@import_app.command("suite")
def import_suite_cmd(
    path: Annotated[Path, typer.Argument(help="A run dir (meta.json + A_..J_ files) or a tree.")],
    db: DbOption = None,
) -> None:
    """Import suite run dirs like dgx-spark-benchmarks results/<family>/<model>/<precision>/."""
    dirs = run_dirs(path)
    cat = catalog()
    store = open_store(db)
    imports: list[SuiteImport] = []
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("reading runs", total=len(dirs))
        for d in dirs:
            imports.append(import_suite(d, cat))
            progress.advance(task)
    for d, imp in zip(dirs, imports, strict=True):
        store.put_build(complete(store, imp), imp.hardware, with_paths(d, imp.results))
        for w in imp.warnings:
            err_console.print(f"note: {imp.build.id}: {w}", highlight=False)
    for imp in imports:
        console.print(
            f"imported {imp.build.id}: {len(imp.results)}/{len(cat.benches)} benches",
            highlight=False,
        )


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


def build_spec(
    model: str,
    name: str | None,
    base_model: str | None,
    precision: str | None,
    params_b: float | None,
    vram_gb: float | None,
    hardware: str,
    hardware_name: str | None,
) -> BuildSpec:
    """The build the shared build options describe."""
    return BuildSpec(model, name, base_model, precision, params_b, vram_gb, hardware, hardware_name)


def _store_one(db: str | None, rec: BenchRecord, spec: BuildSpec) -> None:
    store = open_store(db)
    b, hw = ensure_build(store, spec)
    store.put_build(b, hw, [rec])
    tps = "no headline" if rec.tps_per_user is None else f"{rec.tps_per_user:.2f} tok/s per user"
    console.print(
        f"imported {rec.bench_id} for {spec.id}: {tps} ({rec.source.file})", highlight=False
    )


def _bench(bench: str, mode: str, tool: str) -> BenchDef:
    """The bench, which must exist and be of the loop kind the tool measures."""
    cat = catalog()
    if bench not in cat.benches:
        raise ArenaError(
            f"--bench {bench!r}: unknown bench; expected one of {', '.join(cat.benches)}"
        )
    b = cat.benches[bench]
    if b.mode != mode:
        other = "vllm-bench" if b.mode == "open" else "llama-benchy"
        raise ArenaError(
            f"--bench {bench!r} is {'an' if b.mode == 'open' else 'a'} {b.mode}-loop bench; "
            f"{tool} results are {mode}-loop "
            f"(use `arena import {other}` for this bench)"
        )
    return b


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
    db: DbOption = None,
) -> None:
    """Import one closed-loop result (llama-benchy 0.3 markdown, 0.4 json or csv)."""
    bench_def = _bench(bench, "closed", "llama-benchy")
    if not file.is_file():
        raise ArenaError(f"{file}: no such file")
    suffix = file.suffix.lower()
    parsed = (
        parse_json(file)
        if suffix == ".json"
        else parse_csv(file)
        if suffix == ".csv"
        else parse_markdown(file)
    )
    rec = to_record(parsed, bench_def, str(file))
    _store_one(
        db,
        rec,
        build_spec(model, name, base_model, precision, params_b, vram_gb, hardware, hardware_name),
    )


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
    db: DbOption = None,
) -> None:
    """Import one open-loop result (vllm bench serve --save-result JSON)."""
    bench_def = _bench(bench, "open", "vllm-bench")
    if not file.is_file():
        raise ArenaError(f"{file}: no such file")
    rec = parse_vllm_bench(file, bench, source_file=str(file))
    diff = mismatches(rec, bench_def)
    if diff and not force:
        raise ArenaError(f"{file}: {'; '.join(diff)}; pass --force to import it as '{bench}'")
    if diff:
        rec = dataclasses.replace(
            rec, notes=[*rec.notes, "imported with --force: " + "; ".join(diff)]
        )
    _store_one(
        db,
        rec,
        build_spec(model, name, base_model, precision, params_b, vram_gb, hardware, hardware_name),
    )


@import_app.command("dataset")
def import_dataset(
    file: Annotated[Path, typer.Argument(help="An Arena dataset JSON (from arena export).")],
    db: DbOption = None,
) -> None:
    """Load an Arena dataset file (the format `arena export --format json` writes)."""
    try:
        data = json.loads(file.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ArenaError(f"{file}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise ArenaError(f"{file}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    ds = from_dict(data, origin=str(file))
    open_store(db).load(ds)
    console.print(
        f"imported {len(ds.builds)} builds, {len(ds.quality)} quality numbers from {file}"
    )
