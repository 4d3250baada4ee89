"""An open-loop bench as a stored record: headline 1000 / median TPOT, like imported vllm runs."""

from __future__ import annotations

import math
from collections.abc import Mapping

from arena.bench.open.metrics import OpenMetrics
from arena.catalog.types import Bench
from arena.records import BenchRecord, Provenance


def open_record(
    bench: Bench, dist: OpenMetrics, prov: Provenance, notes: list[str], meta: Mapping[str, object]
) -> BenchRecord:
    """Headline = 1000 / median TPOT ms (what one user feels), as for imported vllm-bench runs."""
    tpot = dist.get("median_tpot_ms") or 0.0
    tps = 1000.0 / tpot if tpot > 0 and math.isfinite(tpot) else None
    if tps is None and not dist["completed"]:
        notes = [*notes, f"no TPOT measured: no request succeeded ({dist['failed']} failed)"]
    elif tps is None:
        notes = [
            *notes,
            f"no TPOT measured: none of the {dist['completed']} successful answers had 2+ "
            "tokens in separate reads (failed requests are not counted)",
        ]
    return BenchRecord(
        bench_id=bench.id,
        tps_per_user=tps,
        tps_total=dist["output_throughput"],
        ttft_p50_ms=dist["p50_ttft_ms"] if dist["completed"] else None,
        ttft_p95_ms=dist["p95_ttft_ms"] if dist["completed"] else None,
        ttft_mean_ms=dist["mean_ttft_ms"] if dist["completed"] else None,
        std=None,
        source=prov,
        distribution={**dist, **meta},
        completed=dist["completed"],
        failed=dist["failed"],
        notes=[*notes, f"output tokens counted from {dist['token_source']}"],
    )
