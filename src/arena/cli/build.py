"""`arena build set`: correct what a build's name could not say (parameters, VRAM, name)."""

from __future__ import annotations

from typing import Annotated

import typer

from arena.builds import BuildSpec, set_build
from arena.cli.common import DbOption, ParamsOpt, VramOpt, console, open_store

build_app = typer.Typer(help="Correct a stored build's facts.", no_args_is_help=True)

ActiveOpt = Annotated[
    float | None, typer.Option("--active-b", help="Active params per token, billions (MoE).")
]
RenameOpt = Annotated[str | None, typer.Option("--name", help="Display name.")]


@build_app.command("set")
def set_cmd(
    build: Annotated[str, typer.Argument(help="Build id, as `arena leaderboard` lists it.")],
    params_b: ParamsOpt = None,
    active_b: ActiveOpt = None,
    name: RenameOpt = None,
    vram_gb: VramOpt = None,
    db: DbOption = None,
) -> None:
    """Set total/active parameters (size bucket, VRAM estimate), VRAM or the display name."""
    if params_b is None and active_b is None and name is None and vram_gb is None:
        raise typer.BadParameter("nothing to set; give --params-b, --active-b, --name or --vram-gb")
    spec = BuildSpec(build, name=name, params_b=params_b, vram_gb=vram_gb, active_b=active_b)
    b = set_build(open_store(db), spec)
    total = f"{b.params_total_b:g} B" if b.params_total_b is not None else "unknown"
    active = f", {b.params_active_b:g} B active" if b.params_active_b is not None else ""
    vram = f"{b.vram_gb:g} GB ({b.vram_method})" if b.vram_gb is not None else "unknown"
    console.print(f"{b.id}: {b.name} · params {total}{active} · VRAM {vram}")
