"""`arena`: rank local LLM builds, show one, import results, export everything."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from arena import __version__
from arena.catalog import Catalog
from arena.cli import render
from arena.cli.bench import EXIT_CODES, bench_cmd
from arena.cli.build import build_app
from arena.cli.common import (
    BoardFormat,
    DbOption,
    HardwareOption,
    SuiteOption,
    catalog,
    console,
    err_console,
    json_text,
    open_store,
)
from arena.cli.compare import compare_cmd
from arena.cli.eval import eval_cmd
from arena.cli.importing import import_app
from arena.cli.quality import quality_app
from arena.cli.runs import runs_app
from arena.cli.serve import serve_cmd
from arena.cli.show import show_text
from arena.cli.submit import BUNDLED_NOTE, submit_cmd
from arena.cli.submit import EXIT_CODES as SUBMIT_EXIT_CODES
from arena.cli.token import token_app
from arena.errors import ArenaError
from arena.scoring import make_weights
from arena.service import board, build_detail, build_view, leaderboard_json

app = typer.Typer(
    name="arena",
    help="The Arena: which local LLM to run on your GPU box. Ranks model builds by quality, "
    "measured throughput and efficiency per use case.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(import_app, name="import")
app.add_typer(build_app, name="build")
app.add_typer(quality_app, name="quality")
app.add_typer(token_app, name="token")
app.add_typer(runs_app, name="runs")
app.command("serve")(serve_cmd)
app.command("bench", epilog=EXIT_CODES)(bench_cmd)
app.command("eval")(eval_cmd)
app.command("compare")(compare_cmd)
app.command(
    "submit",
    help="Send local runs to a board (arena serve --writable), one line per run.\n\n"
    "Sends every local run the board has not acknowledged (or one, --run); what cannot go now "
    "stays in the outbox for the next submit. " + BUNDLED_NOTE,
    epilog=SUBMIT_EXIT_CODES,
)(submit_cmd)


def _version(value: bool) -> None:
    if value:
        console.print(f"arena {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print version.")
    ] = False,
) -> None:
    """The Arena: which local LLM to run on your GPU box."""


def parse_weights(text: str | None) -> tuple[float, float, float] | None:
    """'60,30,10' (percent) or '0.6,0.3,0.1' -> three numbers."""
    if text is None:
        return None
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3:
        raise ArenaError(f"--weights {text!r}: expected three numbers Q,G,E such as 60,30,10")
    return values[0], values[1], values[2]


def parse_prefer(items: list[str], base: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """--prefer KIND or METRIC=KIND: that kind first, the configured order after it."""
    from arena.catalog.loader import QUALITY_KEYS, QUALITY_KINDS
    from arena.scoring.quality import DEFAULT_PREFERENCE

    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        metric, _, kind = item.rpartition("=")
        metric = metric or "default"
        if metric not in QUALITY_KEYS or kind not in QUALITY_KINDS:
            raise ArenaError(
                f"--prefer {item!r}: expected KIND or METRIC=KIND with KIND in "
                f"{', '.join(QUALITY_KINDS)} and METRIC in {', '.join(QUALITY_KEYS[1:])}"
            )
        rest = base.get(metric) or base.get("default") or DEFAULT_PREFERENCE
        out[metric] = (kind, *[k for k in rest if k != kind])
    return out


def budget_gb(cat: Catalog, max_vram_gb: float | None, profile: str | None) -> float | None:
    """The memory budget from --max-vram-gb or a hardware profile's memory (not both)."""
    if profile is None:
        return max_vram_gb
    if max_vram_gb is not None:
        raise ArenaError("give --max-vram-gb or --hardware-profile, not both")
    found = cat.hardware.get(profile)
    if found is None:
        raise ArenaError(
            f"--hardware-profile '{profile}': unknown; expected one of {', '.join(cat.hardware)}"
        )
    return float(found.memory_gb)


@app.command("leaderboard")
def leaderboard_cmd(
    preset: Annotated[
        str, typer.Option(help="Use case: aggregate, chat, agent, batch, reasoning, or your own.")
    ] = "aggregate",
    bucket: Annotated[
        str, typer.Option(help="Cohort: all, small (<8B), medium (8-40B), large (>40B), ...")
    ] = "all",
    weights: Annotated[
        str | None,
        typer.Option(help="Custom weights Q,G,E in percent (60,30,10) or fractions."),
    ] = None,
    fmt: Annotated[
        BoardFormat, typer.Option("--format", help="Output format.")
    ] = BoardFormat.table,
    prefer: Annotated[
        list[str] | None,
        typer.Option(
            help="Quality kind to prefer: KIND for all metrics or METRIC=KIND; repeatable "
            "(kinds: measured, imported, artificial-analysis, model-card)."
        ),
    ] = None,
    suite: SuiteOption = None,
    max_vram_gb: Annotated[
        float | None,
        typer.Option(
            "--max-vram-gb",
            help="Memory budget: builds whose VRAM exceeds N GB leave the cohort before scoring.",
        ),
    ] = None,
    hardware_profile: Annotated[
        str | None,
        typer.Option(help="Budget = the memory of a hardware profile (arena catalog lists them)."),
    ] = None,
    hardware: HardwareOption = None,
    db: DbOption = None,
) -> None:
    """Rank the builds of one suite for a use case (preset) within a size bucket."""
    store = open_store(db)
    w = parse_weights(weights)
    cat = catalog()
    max_vram_gb = budget_gb(cat, max_vram_gb, hardware_profile)
    lb = board(
        store,
        cat,
        preset,
        bucket,
        make_weights(*w) if w else None,
        suite,
        prefer=parse_prefer(prefer or [], cat.quality_prefer),
        max_vram_gb=max_vram_gb,
        hardware=hardware,
    )
    data = leaderboard_json(lb)
    n = len(data["rows"])
    cohorts = next((s["hardware"] for s in data["suites"] if s["id"] == data["suite"]), [])
    on = f" · on {data['hardware']['name']}" if data["hardware"] and len(cohorts) > 1 else ""
    title = (
        f"The Arena · suite {data['suite'] or '–'}{on} · {cat.presets[preset].title} · "
        f"bucket {bucket} · {n} build{'s' * (n != 1)}"
    )
    if n == 0:
        err_console.print(
            f"no builds in bucket '{bucket}' of suite '{data['suite']}' "
            "(arena import ... or arena bench ...)"
        )
    if fmt is BoardFormat.json:
        sys.stdout.write(json_text(data))
    elif fmt is BoardFormat.md:
        sys.stdout.write(render.markdown(data, title))
    elif fmt is BoardFormat.csv:
        sys.stdout.write(render.csv_text(data))
    else:
        console.print(render.rich_table(data, title, console.width))


@app.command("show")
def show_cmd(
    build: Annotated[str, typer.Argument(help="Build id, e.g. qwen-3.5-0.8b-bf16.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    suite: Annotated[
        str | None,
        typer.Option(help="Suite to show it in (default: the newest one it has a run in)."),
    ] = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Show one stored run (ids: arena show BUILD).")
    ] = None,
    hardware: HardwareOption = None,
    db: DbOption = None,
) -> None:
    """One build: its runs, all benches, quality with sources and VRAM.

    Every number says where it came from."""
    if fmt not in ("text", "json"):
        raise ArenaError(f"--format {fmt!r}: expected 'text' or 'json'")
    store = open_store(db)
    view = build_view(store, catalog(), build, suite, run, hardware)
    if view is None:
        ids = store.build_ids()
        near = [i for i in ids if build.lower() in i] or ids
        raise ArenaError(f"unknown build '{build}'; known builds include: {', '.join(near[:8])}")
    detail = build_detail(view, catalog())
    if fmt == "json":
        sys.stdout.write(json_text(detail))
    else:
        show_text(detail, catalog(), store.datasets())


@app.command("export")
def export_cmd(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (re-importable), csv, md, or html (the board, offline, one file).",
        ),
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    suite: Annotated[
        str | None,
        typer.Option(help="csv/md/html: one suite (default: every suite); json has all runs."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export every build and bench result (json is the Arena dataset format, every run)."""
    from arena.cli.exporting import export_text

    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        problem = "is a directory" if output.is_dir() else "its directory does not exist"
        raise ArenaError(f"-o {output}: {problem}; expected a file path to write")
    text = export_text(open_store(db), catalog(), fmt, suite)
    if output is None:
        sys.stdout.write(text)
        return
    tmp = output.with_name(output.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ArenaError(f"-o {output}: cannot write ({exc.strerror})") from exc
    size = len(text.encode("utf-8"))
    err_console.print(f"wrote {output} ({size:,} bytes, format {fmt})")


@app.command("catalog")
def catalog_cmd() -> None:
    """List the benches, presets and buckets in effect (built-in plus your config file)."""
    from arena.cli.show import show_catalog

    show_catalog(catalog())


def main() -> None:
    """Console entry point: one clear line and exit 1 on bad input."""
    try:
        app()
    except ArenaError as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(1)
    except KeyboardInterrupt:  # outside a command's own handler (Typer maps the rest to 130)
        err_console.print("interrupted", highlight=False)
        sys.exit(130)
