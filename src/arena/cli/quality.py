"""`arena quality ...`: set, import or fetch quality numbers, each with its source and date."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.table import Table

from arena.cli.common import DbOption, console, err_console, open_store
from arena.errors import ArenaError
from arena.importers import artificial_analysis as aa
from arena.importers.quality import iso_date, on_one_scale, parse_quality_file
from arena.records import QualityKind, QualityRecord

quality_app = typer.Typer(
    help="Quality numbers: set by hand, import a CSV/JSON file, or fetch Artificial Analysis.",
    no_args_is_help=True,
)
KINDS: tuple[QualityKind, ...] = ("model-card", "imported", "artificial-analysis", "measured")
SETTABLE = ("model-card", "imported", "artificial-analysis")  # measured: only `arena eval`


def _check_kind(kind: str) -> QualityKind:
    """Measured numbers only come from `arena eval` (with their protocol, n and CI)."""
    if kind == "measured":
        raise ArenaError(
            "--kind 'measured': measured numbers only come from `arena eval`; expected "
            "model-card, imported or artificial-analysis"
        )
    if kind not in SETTABLE:
        raise ArenaError(f"--kind {kind!r}: expected model-card, imported or artificial-analysis")
    return cast(QualityKind, kind)


def _today() -> str:
    return dt.date.today().isoformat()


def _scaled(given: dict[str, tuple[str, float | None]]) -> dict[str, float]:
    """metric -> value on 0-100 for the options given; all 0-1 or all 0-100, as for a file."""
    items: list[tuple[str, str, float]] = []
    for option, value in given.values():
        if value is None:
            continue
        if not math.isfinite(value) or not 0 <= value <= 100:
            raise ArenaError(f"--{option} {value:g}: expected a number 0-100 (or 0-1)")
        items.append((f"--{option}", f"{value:g}", value))
    present = [m for m, (_, v) in given.items() if v is not None]
    return dict(zip(present, on_one_scale(items, "this command"), strict=True))


@quality_app.command("set")
def set_cmd(
    base_model: Annotated[
        str, typer.Argument(help="HF id of the base model, e.g. Qwen/Qwen3.5-4B.")
    ],
    source: Annotated[str, typer.Option(help="URL or file the numbers come from (required).")],
    mmlu_pro: Annotated[float | None, typer.Option("--mmlu-pro")] = None,
    gpqa: Annotated[float | None, typer.Option("--gpqa", help="GPQA Diamond.")] = None,
    humaneval: Annotated[float | None, typer.Option("--humaneval")] = None,
    livecodebench: Annotated[float | None, typer.Option("--livecodebench")] = None,
    kind: Annotated[
        str, typer.Option(help="model-card, imported or artificial-analysis.")
    ] = "model-card",
    date: Annotated[
        str | None, typer.Option(help="Date the numbers were read (default today).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What exactly the numbers are.")] = None,
    db: DbOption = None,
) -> None:
    """Set quality numbers of one base model (0-100; 0-1 is read as a fraction)."""
    checked = _check_kind(kind)
    if not source.strip():
        raise ArenaError("--source: expected the URL or file the numbers come from")
    values = _scaled(
        {
            "mmlu_pro": ("mmlu-pro", mmlu_pro),
            "gpqa_diamond": ("gpqa", gpqa),
            "humaneval": ("humaneval", humaneval),
            "livecodebench": ("livecodebench", livecodebench),
        }
    )
    when = iso_date("--date", date) or _today()
    records = [
        QualityRecord(base_model, metric, v, source, when, checked, note=note)
        for metric, v in values.items()
    ]
    if not records:
        raise ArenaError("give at least one of --mmlu-pro, --gpqa, --humaneval, --livecodebench")
    open_store(db).put_quality(records)
    console.print(
        f"set {len(records)} quality numbers for {base_model} ({kind}, {source})", highlight=False
    )


@quality_app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV or JSON: base_model, metric, value, source, date.")
    ],
    kind: Annotated[
        str, typer.Option(help="Kind stored: imported, model-card or artificial-analysis.")
    ] = "imported",
    db: DbOption = None,
) -> None:
    """Import quality numbers; any bad row stops the import with one line and writes nothing."""
    records = parse_quality_file(file, _check_kind(kind), default_date=_today())
    open_store(db).put_quality(records)
    console.print(f"imported {len(records)} quality numbers from {file}", highlight=False)


def cache_path() -> Path:
    """Where the last Artificial Analysis response is kept."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("arena")) / "artificial-analysis-models.json"


@quality_app.command("fetch-aa")
def fetch_aa_cmd(
    api_key: Annotated[str | None, typer.Option("--api-key", envvar="AA_API_KEY")] = None,
    mapping: Annotated[
        Path | None, typer.Option("--map", help="YAML: HF base model id: AA model id.")
    ] = None,
    url: Annotated[str, typer.Option("--url", help="API endpoint.")] = aa.API_URL,
    cached: Annotated[
        bool, typer.Option(help="Use the cached response instead of the API.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Fetch MMLU-Pro, GPQA and LiveCodeBench from Artificial Analysis for mapped base models."""
    store = open_store(db)
    if cached:
        response = aa.read_cache(cache_path())
    elif not api_key:
        raise ArenaError("--api-key (or AA_API_KEY): expected your Artificial Analysis key")
    else:
        response = aa.fetch_to_cache(api_key, url, cache_path(), _today())
    bases = sorted({v.build.base_model for v in store.builds()})
    pairs = aa.read_mapping(mapping) if mapping else {}
    if not pairs:
        table = Table(title="No --map given: suggested matches (confirm them in a mapping file)")
        for col in ("base model", "AA id", "AA name"):
            table.add_column(col)
        for base in bases:
            for m in aa.suggest(base, response.models, 1):
                table.add_row(base, m.id, str(m.name))
        console.print(table)
        console.print("nothing written: matches are never guessed silently", highlight=False)
        return
    records, problems = aa.to_records(response.models, pairs, response.fetched or _today(), url)
    for p in problems:
        err_console.print(f"note: {p}", highlight=False)
    store.put_quality(records)
    console.print(
        f"stored {len(records)} quality numbers for {len(pairs)} mapped models", highlight=False
    )
    console.print(aa.ATTRIBUTION, highlight=False)
