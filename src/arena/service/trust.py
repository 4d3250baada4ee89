"""Trust signals of a build's runs: reproduced across hosts, and runs that disagree.

Rules (issue 11): runs of one suite on one hardware, retracted ones left out, are compared by
headline tok/s per user per bench. Two runs agree on a bench when their headlines differ by no
more than the larger of their spread and 5 % of their mean; the spread of a pair is the larger
of the two results' `std` (the run-to-run standard deviation the tool reported), 0 where neither
has one. A build is "reproduced" when two runs from distinct hosts agree on every bench both
measured (at least one). A run "disagrees" when on some bench its headline differs from the
build's shown result by more than max(3 x spread, 15 % of the shown headline); it "agrees"
when it shares a bench with the shown result and disagrees on none. A run's host is who submitted
it; a run of a loaded dataset counts as that dataset (measured on its author's box), and any other
run as host "local" (measured or imported on this machine).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from arena.records import BenchRecord
from arena.store.views import RunView

LOCAL_HOST = "local"
AGREE_FRACTION = 0.05  # two hosts' headlines within 5 % (or their spread) agree
DISAGREE_FRACTION = 0.15  # a run more than 15 % (or 3 spreads) off the shown result disagrees
DISAGREE_SPREADS = 3.0

Agreement = Literal["agrees", "disagrees"]


@dataclass(frozen=True)
class Trust:
    """What a build's runs say about each other."""

    reproduced: bool = False
    hosts: int = 0  # distinct hosts among the compared runs
    agreement: dict[str, Agreement] = field(default_factory=dict)  # run id -> verdict


NO_TRUST = Trust()


def host_of(rv: RunView) -> str:
    """The host a run came from: its submitter, the dataset it was loaded from, else 'local'."""
    if rv.submitted_by:
        return rv.submitted_by
    return rv.run.origin if rv.run.origin.startswith("dataset:") else LOCAL_HOST


def _headlines(results: Mapping[str, BenchRecord]) -> dict[str, tuple[float, float]]:
    """Bench -> (tok/s per user, std or 0) for the results that have a headline."""
    return {
        b: (r.tps_per_user, r.std or 0.0)
        for b, r in results.items()
        if r.tps_per_user is not None and r.tps_per_user > 0
    }


def _pair_agrees(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]]) -> bool:
    """Every common bench within max(spread, 5 % of the mean); at least one common bench."""
    common = a.keys() & b.keys()
    if not common:
        return False
    for bench in common:
        (x, sx), (y, sy) = a[bench], b[bench]
        if abs(x - y) > max(sx, sy, AGREE_FRACTION * (x + y) / 2):
            return False
    return True


def _verdict(
    run: dict[str, tuple[float, float]], shown: dict[str, tuple[float, float]]
) -> Agreement | None:
    """Against the shown result: disagrees when any bench is off by more than
    max(3 x spread, 15 %); agrees when some bench is shared; None when none is."""
    common = run.keys() & shown.keys()
    if not common:
        return None
    for bench in common:
        (x, sx), (y, sy) = run[bench], shown[bench]
        if abs(x - y) > max(DISAGREE_SPREADS * max(sx, sy), DISAGREE_FRACTION * y):
            return "disagrees"
    return "agrees"


def trust(runs: Sequence[RunView], shown: Mapping[str, BenchRecord]) -> Trust:
    """Trust signals of the runs of one suite on one hardware against the results shown."""
    kept = [rv for rv in runs if not rv.retracted]
    heads = {rv.run.id: _headlines(rv.results) for rv in kept}
    reproduced = any(
        host_of(a) != host_of(b) and _pair_agrees(heads[a.run.id], heads[b.run.id])
        for a, b in combinations(kept, 2)
    )
    target = _headlines(shown)
    agreement: dict[str, Agreement] = {}
    for rv in kept:
        found = _verdict(heads[rv.run.id], target)
        if found is not None:
            agreement[rv.run.id] = found
    return Trust(reproduced, len({host_of(rv) for rv in kept}), agreement)


def cohort_runs(runs: Sequence[RunView], suite: str | None, hardware: str | None) -> list[RunView]:
    """The runs a build's trust compares: same suite and hardware (when set), not retracted."""
    return [
        rv
        for rv in runs
        if not rv.retracted
        and (suite is None or rv.run.suite == suite)
        and (hardware is None or rv.run.hardware_id == hardware)
    ]
