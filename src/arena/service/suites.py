"""Which suite a view shows: the suites with data, the default one, and the benches of each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

# pydantic (FastAPI response models) accepts only typing_extensions.TypedDict before Python 3.12.
from typing_extensions import TypedDict

from arena.catalog.types import Catalog
from arena.errors import ArenaError
from arena.store.views import BuildView


class SuiteEntry(TypedDict):
    """A suite that has data: its id, title and how many builds have a run in it."""

    id: str
    title: str
    builds: int


def suite_counts(views: Iterable[BuildView]) -> dict[str, int]:
    """Builds per suite, from views that list every run of their build."""
    counts: Counter[str] = Counter()
    for v in views:
        counts.update({rv.run.suite for rv in v.runs})
    return dict(counts)


def suite_order(catalog: Catalog, counts: Mapping[str, int]) -> list[str]:
    """Catalog suites oldest first, then suites only the store knows (a user's own), by id."""
    return [*catalog.suites, *sorted(set(counts) - set(catalog.suites))]


def suite_entries(catalog: Catalog, counts: Mapping[str, int]) -> list[SuiteEntry]:
    """The suites that have data, in suite order."""
    return [
        {
            "id": s,
            "title": catalog.suites[s].title if s in catalog.suites else s,
            "builds": counts[s],
        }
        for s in suite_order(catalog, counts)
        if counts.get(s)
    ]


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
