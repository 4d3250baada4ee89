"""Where the importer tests find their inputs (raw data stays outside the repo)."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "dgx-spark-benchmarks-v1"
RESULTS = SHARED / "results"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN_DIRS = sorted(p for p in RESULTS.glob("*/*/*") if p.is_dir()) if RESULTS.is_dir() else []

needs_shared = pytest.mark.skipif(not RESULTS.is_dir(), reason=f"shared data not at {SHARED}")

V2 = SHARED.parent / "dgx-spark-benchmarks-v2"
V2_RESULTS = V2 / "results"
V2_RUN_DIRS = (
    sorted(p for p in V2_RESULTS.glob("*/*/*") if p.is_dir()) if V2_RESULTS.is_dir() else []
)
needs_v2 = pytest.mark.skipif(not V2_RESULTS.is_dir(), reason=f"shared data not at {V2}")
