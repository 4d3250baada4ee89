"""Rebuild src/arena/dataset/dgx_spark_v1.json from the shared v1 runs and base_models.toml."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from arena.catalog import load_catalog
from arena.dataset import to_dict
from arena.errors import ArenaError
from arena.importers import build_dataset

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dgx-spark-benchmarks-v1"


def main() -> int:
    """Import, join, write atomically; print what was written."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="dgx-spark-benchmarks-v1 dir")
    ap.add_argument("--out", type=Path, default=ROOT / "src/arena/dataset/dgx_spark_v1.json")
    args = ap.parse_args()
    try:
        ds = build_dataset(
            args.data / "results", ROOT / "src/arena/dataset/base_models.toml", load_catalog()
        )
    except ArenaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(to_dict(ds), indent=1, ensure_ascii=False) + "\n"
    tmp = args.out.with_name(args.out.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    n_results = sum(len(r.results) for r in ds.runs)
    print(
        f"wrote {args.out}: {len(ds.builds)} builds, {n_results} bench results, "
        f"{len(ds.quality)} quality numbers, {len(text):,} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
