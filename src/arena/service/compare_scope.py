"""What a comparison covers: two to four known builds, one suite they all have a run in and
one hardware they all have a run on, so no headline comes from another box."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from arena.catalog.types import Catalog
from arena.errors import ArenaError
from arena.service.suites import resolve_hardware, resolve_suite, suite_counts
from arena.store import BuildView, Store

MIN_BUILDS, MAX_BUILDS = 2, 4


class UnknownBuildError(ArenaError):
    """A build id the store does not hold (the API answers it with 404)."""


class HardwareChoiceError(ArenaError):
    """A hardware the builds cannot be compared on (the API answers it with 422 and `valid`)."""

    def __init__(self, message: str, valid: Sequence[str]) -> None:
        super().__init__(message)
        self.valid = list(valid)


def check_ids(ids: Sequence[str]) -> list[str]:
    """Two to four distinct build ids, else an error naming what was given."""
    given = [i.strip() for i in ids if i.strip()]
    if not MIN_BUILDS <= len(given) <= MAX_BUILDS:
        raise ArenaError(
            f"compare takes {MIN_BUILDS} to {MAX_BUILDS} build ids; got {len(given)}: "
            f"{', '.join(given) or 'none'}"
        )
    twice = sorted({i for i in given if given.count(i) > 1})
    if twice:
        raise ArenaError(f"build id '{twice[0]}' given twice; expected distinct builds")
    return given


def unknown_build(build_id: str, known: Sequence[str]) -> UnknownBuildError:
    """The error for an unknown id, naming up to three close matches."""
    near = difflib.get_close_matches(build_id, known, n=3, cutoff=0.6)
    hint = f"; did you mean: {', '.join(near)}" if near else "; see `arena leaderboard`"
    return UnknownBuildError(f"unknown build '{build_id}'{hint}")


def known_views(store: Store, ids: Sequence[str]) -> list[BuildView]:
    """Each build across all its runs; an unknown id is an error naming close matches."""
    every: list[BuildView] = []
    known = store.build_ids()
    for i in ids:
        found = store.build(i)
        if found is None:
            raise unknown_build(i, known)
        every.append(found)
    return every


def shared_suite(
    store: Store, catalog: Catalog, every: Sequence[BuildView], suite: str | None
) -> str:
    """The suite asked for (an error when a build has no run in it), else the newest catalog
    suite all builds have a run in."""
    per_build = [suite_counts([v]) for v in every]
    if suite is not None:
        resolve_suite(catalog, store.suite_sizes(), suite)  # an unknown suite is an error
    shared = {s: 1 for s in set.intersection(*(set(c) for c in per_build))}
    if suite is not None and suite not in shared:
        lacking = next(v.build.id for v, c in zip(every, per_build, strict=True) if suite not in c)
        raise ArenaError(f"build '{lacking}' has no run in suite '{suite}'")
    chosen = suite if suite is not None else resolve_suite(catalog, shared, None)
    if chosen is None or chosen not in shared:
        listed = "; ".join(
            f"{v.build.id}: {', '.join(sorted(c)) or 'none'}"
            for v, c in zip(every, per_build, strict=True)
        )
        raise ArenaError(f"these builds share no suite ({listed})")
    return chosen


def run_hardware(view: BuildView, suite: str) -> set[str]:
    """The hardware a build has a ranked (not retracted) run on in a suite."""
    return {rv.run.hardware_id for rv in view.runs if not rv.retracted and rv.run.suite == suite}


def shared_hardware(
    every: Sequence[BuildView],
    suite: str,
    sizes: Mapping[str, int],
    known: Mapping[str, str],
    hardware: str | None,
) -> str:
    """The hardware asked for, else the suite's default (`sizes`: builds per hardware in the
    suite), else the shared one with the most builds; an error names the build that lacks a
    run on it and the hardware all of them share (`known`: every stored hardware)."""
    per_build = [run_hardware(v, suite) for v in every]
    shared = set.intersection(*per_build)
    valid = sorted(shared)
    listed = ", ".join(valid) or "none"
    if hardware is not None and hardware not in known:
        raise HardwareChoiceError(
            f"unknown hardware '{hardware}'; hardware all of these builds have a run on in "
            f"suite '{suite}': {listed}",
            valid,
        )
    wanted = hardware if hardware is not None else resolve_hardware(sizes, None)
    if wanted is not None and wanted in shared:
        return wanted
    if hardware is None and shared:
        return str(resolve_hardware({h: max(sizes.get(h, 0), 1) for h in shared}, None))
    lacking = next(v.build.id for v, h in zip(every, per_build, strict=True) if wanted not in h)
    which = (
        f"hardware '{wanted}'"
        if hardware is not None
        else f"the default hardware '{wanted}'"
        if wanted is not None
        else "any hardware (only retracted runs)"
    )
    if shared:
        raise HardwareChoiceError(
            f"build '{lacking}' has no run on {which} in suite '{suite}'; hardware all of "
            f"these builds have a run on: {listed}",
            valid,
        )
    each = "; ".join(
        f"{v.build.id}: {', '.join(sorted(h)) or 'none'}"
        for v, h in zip(every, per_build, strict=True)
    )
    raise HardwareChoiceError(
        f"build '{lacking}' has no run on {which} in suite '{suite}', and these builds share "
        f"no hardware there ({each})",
        valid,
    )
