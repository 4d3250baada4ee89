"""Time importing all 53 shared runs (suite v1: 23, suite v2: 30) and scoring them (a benchmark
script, not a test; issue 9's target: under 5 s here).

Stages, each repeated --repeat times in this one process, reported as median and min:
  parse  - the suite importer over every run dir (llama-benchy md + vllm-bench json + meta,
           v2's telemetry CSVs, rate-sweep steps, sanity files), hashing each file for the run id
  store  - writing those builds and runs into a new SQLite file (one transaction per run)
  read   - reading every build back, as a view per suite
  score  - ranking every suite x preset x bucket from those views (pure scoring)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from arena.builds import fill_build
from arena.catalog import load_catalog
from arena.importers import read_suite
from arena.records import SuiteImport
from arena.scoring import Candidate, rank
from arena.service.leaderboard import candidate, chosen_quality
from arena.store import BuildView, Store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SUITES = ("dgx-spark-benchmarks-v1", "dgx-spark-benchmarks-v2")


def candidates(views: list[BuildView]) -> list[Candidate]:
    """Scoring inputs of the views, as the service builds them."""
    return [candidate(v, chosen_quality(v)) for v in views]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Wall times (perf_counter) of repeated calls and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def main() -> None:
    """Run the three stages and print a table of figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    cat = load_catalog(Path("/nonexistent-user-config.toml"))
    dirs = [p.parent for s in SUITES for p in sorted((DATA / s / "results").rglob("meta.json"))]

    def parse() -> list[SuiteImport]:
        return [read_suite(d, cat) for d in dirs]

    parse_t, imports = timed(parse, args.repeat)

    def store_all() -> Store:
        tmp = tempfile.mkdtemp()
        store = Store.open(str(Path(tmp) / "bench.db"))
        for imp in imports:
            store.put_build(fill_build(imp.build, None), imp.hardware, imp.results, imp.run)
        return store

    store_t, store = timed(store_all, args.repeat)

    def read_all() -> dict[str, list[BuildView]]:
        return {suite: store.builds(suite) for suite in store.suites()}

    read_t, views = timed(read_all, args.repeat)

    def score_all() -> int:
        n = 0
        for suite, suite_views in views.items():
            benches = cat.suites[suite].bench_ids
            for preset in cat.presets.values():
                inside = preset.within(benches)
                for bucket in cat.buckets.values():
                    n += len(rank(candidates(suite_views), inside, bucket).rows)
        return n

    score_t, rows = timed(score_all, args.repeat)
    n_results = sum(len(i.results) for i in imports)
    print(f"{len(dirs)} run dirs, {n_results} bench results; repeat={args.repeat}; perf_counter")
    print(f"{'stage':<34}{'median ms':>12}{'min ms':>10}")
    for label, t in [
        (f"parse {len(dirs)} run dirs", parse_t),
        ("write to new SQLite (incl. migrate)", store_t),
        ("read every build, per suite", read_t),
        (
            f"score {len(views)} suites x {len(cat.presets)} presets x {len(cat.buckets)} buckets",
            score_t,
        ),
    ]:
        print(f"{label:<34}{statistics.median(t) * 1000:>12.1f}{min(t) * 1000:>10.1f}")
    stages = (parse_t, store_t, read_t, score_t)
    total = sum(statistics.median(t) for t in stages)
    print(
        f"import + score all {len(dirs)} runs (sum of medians): {total * 1000:.0f} ms; "
        f"{rows} rows ranked"
    )


if __name__ == "__main__":
    main()
