"""A build's identity and facts: the options that name it, and the fields derived from them."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from arena.catalog import estimate_vram_gb
from arena.errors import ArenaError
from arena.records import BaseModelInfo, BuildInfo, HardwareInfo
from arena.store import Store

SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,119}")


@dataclass(frozen=True)
class BuildSpec:
    """What a user says about the build they measure or import; None keeps the stored value."""

    id: str
    name: str | None = None
    base_model: str | None = None
    precision: str | None = None
    params_b: float | None = None
    vram_gb: float | None = None
    hardware: str = "local"
    hardware_name: str | None = None
    active_b: float | None = None


def slug(name: str) -> str:
    """A build id from a served model name."""
    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-") or "build"


def check_build_id(build_id: str) -> str:
    """The id as given, when it is a slug every page and file name can carry."""
    if not SLUG.fullmatch(build_id):
        raise ArenaError(
            f"build id {build_id!r}: expected lower-case letters, digits, '.', '_' or '-'"
        )
    return build_id


def fill_build(
    b: BuildInfo, base: BaseModelInfo | None, params_from: str | None = None
) -> BuildInfo:
    """Params from the base model; VRAM estimated when no log gave it, naming `params_from`."""
    if b.params_total_b is None and base is not None and base.params_total_b is not None:
        b = dataclasses.replace(
            b, params_total_b=base.params_total_b, params_active_b=base.params_active_b
        )
    if base is not None:
        b = dataclasses.replace(
            b, vendor=b.vendor or base.vendor, architecture=b.architecture or base.architecture
        )
    origin = f" ({params_from})" if params_from else ""
    if b.vram_gb is None:
        est = estimate_vram_gb(b.params_total_b, b.precision)
        if est is not None:
            b = dataclasses.replace(
                b,
                vram_gb=est,
                vram_method="estimated",
                vram_source=(
                    f"{b.params_total_b:g} B params{origin} x {b.precision} bytes per parameter"
                ),
            )
    return b


def ensure_build(store: Store, spec: BuildSpec) -> tuple[BuildInfo, HardwareInfo]:
    """The stored build with the given fields updated, or a new one from the spec (not written)."""
    check_build_id(spec.id)
    checks = (
        ("--params-b", spec.params_b),
        ("--active-b", spec.active_b),
        ("--vram-gb", spec.vram_gb),
    )
    for opt, value in checks:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ArenaError(f"{opt} {value:g}: expected a number > 0")
    view = store.build(spec.id)
    if view is not None:
        b, hw = view.build, view.hardware
    else:
        b = BuildInfo(
            id=spec.id,
            name=spec.name or spec.id,
            base_model=spec.base_model or spec.id,
            precision=spec.precision or "unknown",
            hardware_id=spec.hardware,
        )
        hw = HardwareInfo(spec.hardware, spec.hardware_name or spec.hardware)
    b = dataclasses.replace(
        b,
        name=spec.name or b.name,
        base_model=spec.base_model or b.base_model,
        precision=spec.precision or b.precision,
        params_total_b=spec.params_b if spec.params_b is not None else b.params_total_b,
        params_active_b=spec.active_b if spec.active_b is not None else b.params_active_b,
    )
    if spec.params_b is not None and b.vram_method in (None, "estimated"):
        b = dataclasses.replace(b, vram_gb=None, vram_method=None, vram_source=None)
    if spec.vram_gb is not None:
        b = dataclasses.replace(
            b, vram_gb=spec.vram_gb, vram_method="manual", vram_source="--vram-gb"
        )
    return fill_build(b, None), hw


def set_build(store: Store, spec: BuildSpec) -> BuildInfo:
    """Correct a stored build's facts (name, parameters, VRAM); its runs stay as measured."""
    if store.build(check_build_id(spec.id)) is None:
        raise ArenaError(f"build '{spec.id}' is not in the store; `arena leaderboard` lists builds")
    if spec.params_b is None and spec.active_b is not None:
        stored = store.build(spec.id)
        if stored is not None and stored.build.params_total_b is None:
            raise ArenaError(f"--active-b {spec.active_b:g}: give --params-b too (total unknown)")
    build, hardware = ensure_build(store, spec)
    total, active = build.params_total_b, build.params_active_b
    if total is not None and active is not None and active > total:
        raise ArenaError(f"--active-b {active:g}: more than the {total:g} B parameters in all")
    store.put_build(build, hardware)
    return build
