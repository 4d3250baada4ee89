"""Rebuild the bundled datasets (src/arena/dataset/dgx_spark_v1.json, dgx_spark_v2.json) from
the shared suite v1 and v2 runs and base_models.toml."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from arena.catalog import load_catalog
from arena.dataset import to_dict
from arena.errors import ArenaError
from arena.importers import BUNDLES, build_dataset

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def main() -> int:
    """Import, join, write each file atomically; print what was written."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="dir holding the suites")
    ap.add_argument("--out", type=Path, default=ROOT / "src/arena/dataset", help="output dir")
    args = ap.parse_args()
    catalog = load_catalog(Path("/nonexistent-user-config.toml"))
    for bundle in BUNDLES:
        try:
            ds = build_dataset(
                args.data / bundle.data_dir / "results",
                ROOT / "src/arena/dataset/base_models.toml",
                catalog,
                bundle=bundle,
            )
        except ArenaError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        text = json.dumps(to_dict(ds), indent=1, ensure_ascii=False) + "\n"
        out = args.out / bundle.file
        tmp = out.with_name(out.name + ".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
        n_results = sum(len(r.results) for r in ds.runs)
        print(
            f"wrote {out}: {len(ds.runs)} runs of {len(ds.builds)} builds, {n_results} bench "
            f"results, {len(ds.quality)} quality numbers, {len(text):,} bytes"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
