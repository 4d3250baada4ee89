"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import enum
import json
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

import typer
from rich.console import Console

from arena import dataset
from arena.catalog import Catalog, load_catalog
from arena.service.shapes import CostBasis
from arena.store import Store

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="ARENA_DB",
        help="Database file path or SQLAlchemy URL (default: arena.db in the user data dir).",
        show_default=False,
    ),
]

HardwareOption = Annotated[
    str | None,
    typer.Option(
        "--hardware",
        help="Hardware id to compare builds on; default: the one with the most builds.",
        show_default=False,
    ),
]
SuiteOption = Annotated[
    str | None,
    typer.Option(
        "--suite",
        help="Suite (v1, v2, ...); default: the newest one with data.",
        show_default=False,
    ),
]


class BoardFormat(enum.StrEnum):
    """Output formats of the leaderboard."""

    table = "table"
    md = "md"
    csv = "csv"
    json = "json"


def open_store(db: str | None) -> Store:
    """The store, created, migrated and seeded with the bundled data on first use."""
    return dataset.open_store(db)


def catalog() -> Catalog:
    """Built-in catalog plus the user's config file."""
    return load_catalog()


def answer_text(answer: str | None, limit: int = 48) -> str:
    """A model's sanity answer on one line, cut to `limit` characters (the JSON has it whole)."""
    if not answer:
        return "no answer"
    flat = " ".join(answer.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def fmt_num(x: float | None, nd: int = 1) -> str:
    """Decimal half-up rounding with thousands separators, as the web page shows numbers."""
    if x is None or x != x:
        return "–"
    q = Decimal(str(x)).quantize(Decimal(1).scaleb(-nd), rounding=ROUND_HALF_UP)
    return f"{q:,.{nd}f}"


def cost_title(basis: CostBasis) -> str:
    """The cost column's title, e.g. 'USD/Mtok'."""
    return f"{basis['currency']}/Mtok"


def cost_line(basis: CostBasis, over: str) -> str:
    """Where a cost column's numbers came from: the prices, their file, and the rule."""
    cur = basis["currency"]
    hardware = ""
    if basis["hardware_price"] is not None:
        hardware = (
            f" and hardware {basis['hardware_price']:g} {cur} over "
            f"{basis['hardware_lifetime_years']:g} years × {basis['hours_per_day']:g} h/day"
        )
    return (
        f"{cost_title(basis)}: cost per million output tokens at "
        f"{basis['electricity_per_kwh']:g} {cur}/kWh{hardware} "
        f"(the cost table of {basis['config']}), "
        f"{over}; {basis['rule']}"
    )


def json_text(obj: object) -> str:
    """Strict JSON (NaN/Infinity become null) for output other tools parse."""

    def clean(x: object) -> object:
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(obj), indent=2, allow_nan=False) + "\n"


# Build options shared by `import`, `bench` and `eval` (a new build is created from them).
NameOpt = Annotated[str | None, typer.Option("--name", help="Display name for a new build.")]
BaseModelOpt = Annotated[str | None, typer.Option("--base-model", help="HF id of the base model.")]
PrecisionOpt = Annotated[
    str | None, typer.Option("--precision", help="bf16, fp8, nvfp4, q4_k_m, ...")
]
ParamsOpt = Annotated[float | None, typer.Option("--params-b", help="Total params, billions.")]
VramOpt = Annotated[float | None, typer.Option("--vram-gb", help="VRAM in GB (method: manual).")]
HardwareOpt = Annotated[str, typer.Option("--hardware", help="Hardware id.")]
HardwareNameOpt = Annotated[
    str | None, typer.Option("--hardware-name", help="Hardware display name.")
]
