"""Time importing all 23 shared v1 runs and scoring them (a benchmark script, not a test).

Stages, each repeated --repeat times in this one process, reported as median and min:
  parse  - the suite importer over every run dir (llama-benchy md + vllm-bench json + meta)
  store  - writing those builds and results into a new SQLite file (one transaction per build)
  score  - ranking every preset x bucket from the store's builds (pure scoring)
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
from arena.service import leaderboard
from arena.store import Store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "dgx-spark-benchmarks-v1" / "results"


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
    dirs = sorted(p.parent for p in DATA.rglob("meta.json"))

    def parse() -> list[SuiteImport]:
        return [read_suite(d, cat) for d in dirs]

    parse_t, imports = timed(parse, args.repeat)

    def store_all() -> Store:
        tmp = tempfile.mkdtemp()
        store = Store.open(str(Path(tmp) / "bench.db"))
        for imp in imports:
            store.put_build(fill_build(imp.build, None), imp.hardware, imp.results)
        return store

    store_t, store = timed(store_all, args.repeat)
    views = store.builds()

    def score_all() -> int:
        n = 0
        for preset in cat.presets:
            for bucket in cat.buckets:
                n += len(leaderboard(views, cat, preset, bucket).ranking.rows)
        return n

    score_t, rows = timed(score_all, args.repeat)
    read_t, _ = timed(store.builds, args.repeat)
    n_results = sum(len(i.results) for i in imports)
    print(f"{len(dirs)} run dirs, {n_results} bench results; repeat={args.repeat}; perf_counter")
    print(f"{'stage':<34}{'median ms':>12}{'min ms':>10}")
    for label, t in [
        ("parse 23 run dirs", parse_t),
        ("write to new SQLite (incl. migrate)", store_t),
        ("read all builds back", read_t),
        (f"score {len(cat.presets)} presets x {len(cat.buckets)} buckets", score_t),
    ]:
        print(f"{label:<34}{statistics.median(t) * 1000:>12.1f}{min(t) * 1000:>10.1f}")
    total = statistics.median(parse_t) + statistics.median(store_t) + statistics.median(score_t)
    print(f"import + score all 23 runs (sum of medians): {total * 1000:.0f} ms; {rows} rows ranked")


if __name__ == "__main__":
    main()
