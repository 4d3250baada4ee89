"""Which suite a view shows: the suites with data, the default one, and the benches of each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

# pydantic (FastAPI response models) accepts only typing_extensions.TypedDict before Python 3.12.
from typing_extensions import TypedDict

from arena.catalog.types import Catalog
from arena.errors import ArenaError
from arena.store.views import BuildView


class HardwareEntry(TypedDict):
    """A hardware with data in a suite: id, name and how many builds have a run on it."""

    id: str
    name: str
    builds: int


class SuiteEntry(TypedDict):
    """A suite that has data: its id, title, how many builds have a run in it and on which
    hardware (most builds first: the first is the default cohort)."""

    id: str
    title: str
    builds: int
    hardware: list[HardwareEntry]


def suite_counts(views: Iterable[BuildView]) -> dict[str, int]:
    """Builds per suite, from views that list every run of their build."""
    counts: Counter[str] = Counter()
    for v in views:
        counts.update({rv.run.suite for rv in v.runs})
    return dict(counts)


def suite_order(catalog: Catalog, counts: Mapping[str, int]) -> list[str]:
    """Catalog suites oldest first, then suites only the store knows (a user's own), by id."""
    return [*catalog.suites, *sorted(set(counts) - set(catalog.suites))]


def suite_entries(
    catalog: Catalog,
    counts: Mapping[str, int],
    hardware: Mapping[str, Mapping[str, int]] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[SuiteEntry]:
    """The suites that have data, in suite order, each with its hardware (`hardware`: per
    suite, builds per hardware id; `names`: hardware display names)."""
    return [
        {
            "id": s,
            "title": catalog.suites[s].title if s in catalog.suites else s,
            "builds": counts[s],
            "hardware": hardware_entries((hardware or {}).get(s, {}), names or {}),
        }
        for s in suite_order(catalog, counts)
        if counts.get(s)
    ]


def hardware_entries(counts: Mapping[str, int], names: Mapping[str, str]) -> list[HardwareEntry]:
    """Hardware with data, most builds first (ties: id order)."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"id": h, "name": names.get(h, h), "builds": n} for h, n in ordered if n]


def resolve_hardware(counts: Mapping[str, int], hardware: str | None) -> str | None:
    """The hardware asked for, else the one with the most builds (ties: id order); None when
    the suite has no data; an id without data in the suite is an error naming the valid ones."""
    ordered = [h for h, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n]
    if hardware is not None:
        if hardware not in ordered:
            raise ArenaError(
                f"unknown hardware '{hardware}' for this suite; expected one of: "
                f"{', '.join(sorted(ordered)) or 'none (no data)'}"
            )
        return hardware
    return ordered[0] if ordered else None


def resolve_suite(catalog: Catalog, counts: Mapping[str, int], suite: str | None) -> str | None:
    """The suite asked for, else the newest catalog suite with data (else any with data, else
    the newest catalog suite); an unknown id is an error naming the valid ones."""
    order = suite_order(catalog, counts)
    if suite is not None:
        if suite not in order:
            raise ArenaError(f"unknown suite '{suite}'; expected one of: {', '.join(order)}")
        return suite
    with_data = [s for s in catalog.suites if counts.get(s)] or [s for s in order if counts.get(s)]
    if with_data:
        return with_data[-1]
    return order[-1] if order else None


def suite_benches(catalog: Catalog, suite: str | None) -> tuple[str, ...] | None:
    """The benches of a catalog suite in its order; None for a suite the catalog does not define."""
    found = catalog.suites.get(suite) if suite is not None else None
    return None if found is None else found.bench_ids


def bench_order(catalog: Catalog, suite: str | None, stored: Iterable[str]) -> list[str]:
    """The suite's benches (all catalog benches for an undefined suite), then others stored."""
    listed = list(suite_benches(catalog, suite) or catalog.benches)
    return [*listed, *sorted(set(stored) - set(listed))]
