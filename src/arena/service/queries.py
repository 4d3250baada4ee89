"""The leaderboard and one build read from a store for the suite asked (or the default one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from arena.catalog.types import Catalog, Weights
from arena.errors import ArenaError
from arena.service.detail import build_detail
from arena.service.leaderboard import Leaderboard, leaderboard
from arena.service.shapes import BuildDetail, HardwareRef
from arena.service.suites import resolve_hardware, resolve_suite, suite_counts, suite_entries
from arena.store import BuildView, Store


def board(
    store: Store,
    catalog: Catalog,
    preset: str = "aggregate",
    bucket: str = "all",
    weights: Weights | None = None,
    suite: str | None = None,
    prefer: Mapping[str, Sequence[str]] | None = None,
    max_vram_gb: float | None = None,
    hardware: str | None = None,
) -> Leaderboard:
    """Rank the builds of one suite (None = the newest catalog suite that has data) on one
    hardware (None = the one with the most builds there), within a memory budget when given."""
    counts = store.suite_sizes()
    chosen = resolve_suite(catalog, counts, suite)
    sizes = store.hardware_sizes()
    names = store.hardware_names()
    hw = resolve_hardware(sizes.get(chosen or "", {}), hardware)
    views = store.builds(chosen, hw) if chosen is not None else []
    return leaderboard(
        views,
        catalog,
        preset,
        bucket,
        weights,
        store.datasets(),
        prefer=prefer,
        suite=chosen,
        suites=suite_entries(catalog, counts, sizes, names),
        max_vram_gb=max_vram_gb,
        hardware=hardware_ref(hw, names),
    )


def hardware_ref(hardware: str | None, names: Mapping[str, str]) -> HardwareRef | None:
    """The cohort's hardware as the envelope names it."""
    return None if hardware is None else {"id": hardware, "name": names.get(hardware, hardware)}


def build_hardware(
    view: BuildView, suite: str | None, default: str | None, hardware: str | None
) -> str | None:
    """The hardware a build's page shows: the one asked (an error when the build has no run
    on it in the suite), else the board's default when the build has runs there, else the
    hardware of most of its runs in the suite."""
    counts: dict[str, int] = {}
    for rv in view.runs:
        if not rv.retracted and (suite is None or rv.run.suite == suite):
            counts[rv.run.hardware_id] = counts.get(rv.run.hardware_id, 0) + 1
    if hardware is not None:
        return resolve_hardware(counts, hardware)
    if default is not None and default in counts:
        return default
    return resolve_hardware(counts, None)


def build_view(
    store: Store,
    catalog: Catalog,
    build_id: str,
    suite: str | None = None,
    run: str | None = None,
    hardware: str | None = None,
) -> BuildView | None:
    """One build as seen in a suite (default: the newest catalog suite it has a run in) on one
    hardware (see `build_hardware`) or in one of its runs; None for an unknown build, an error
    for a suite, hardware or run it does not have."""
    every = store.build(build_id)
    if every is None:
        return None
    runs = {rv.run.id: rv.run.suite for rv in every.runs}
    if run is not None:
        if run not in runs:
            raise ArenaError(
                f"run '{run}' is not a run of build '{build_id}'; its runs: "
                f"{', '.join(runs) or 'none'}"
            )
        if suite is not None and runs[run] != suite:
            raise ArenaError(f"run '{run}' is in suite '{runs[run]}', not '{suite}'")
        return store.build(build_id, run=run)
    counts = suite_counts([every])
    if suite is not None:
        resolve_suite(catalog, store.suite_sizes(), suite)  # an unknown id is an error
        if suite not in counts:
            raise ArenaError(
                f"build '{build_id}' has no run in suite '{suite}'; its suites: "
                f"{', '.join(sorted(counts)) or 'none'}"
            )
    chosen = resolve_suite(catalog, counts, suite)
    if chosen is None:
        return every
    default = resolve_hardware(store.hardware_sizes().get(chosen, {}), None)
    hw = build_hardware(every, chosen, default, hardware)
    return store.build(build_id, suite=chosen, hardware=hw)


def detail(
    store: Store,
    catalog: Catalog,
    build_id: str,
    suite: str | None = None,
    run: str | None = None,
    hardware: str | None = None,
) -> BuildDetail | None:
    """`build_detail` of `build_view`; None for an unknown build."""
    view = build_view(store, catalog, build_id, suite, run, hardware)
    return None if view is None else build_detail(view, catalog)
