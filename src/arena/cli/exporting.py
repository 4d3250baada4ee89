"""Export the store: JSON in the Arena dataset format, one row per build x bench, or the board
as one offline HTML file."""

from __future__ import annotations

import csv
import io
import json

from arena.catalog import Catalog
from arena.dataset.codec import to_dict
from arena.errors import ArenaError
from arena.records import BaseModelInfo, Dataset, HardwareInfo
from arena.service.suites import bench_order, resolve_suite, suite_order
from arena.store import BuildView, Store

FLAT_FIELDS = [
    "build",
    "name",
    "precision",
    "bench",
    "tps_per_user",
    "std",
    "tps_total",
    "ttft_p50_ms",
    "ttft_p95_ms",
    "ttft_mean_ms",
    "completed",
    "failed",
    "vram_gb",
    "vram_method",
    "tool",
    "tool_version",
    "file",
    "date",
    "attribution",
    "suite",
    "run",
    "mean_power_w",
    "peak_power_w",
    "joules_per_output_token",
]


def export_text(store: Store, cat: Catalog, fmt: str, suite: str | None = None) -> str:
    """Everything in the store as json (every run), csv or md text (per suite the result
    each build shows, one suite when given), or html (the board, offline, one file)."""
    if fmt == "html":
        from arena.web import render_snapshot  # the web layer: only this format needs it

        return render_snapshot(store, suite)
    if fmt == "json":
        if suite is not None:
            raise ArenaError(f"--suite {suite}: applies to csv, md and html; json holds every run")
        views = store.builds()
        hardware: dict[str, HardwareInfo] = {v.hardware.id: v.hardware for v in views}
        bases: dict[str, BaseModelInfo] = {v.base.id: v.base for v in views if v.base}
        attributions = sorted({str(d["attribution"]) for d in store.datasets().values()})
        ds = Dataset(
            name="arena-export",
            attribution="; ".join(attributions) or None,
            license=None,
            source="arena export",
            hardware=list(hardware.values()),
            base_models=list(bases.values()),
            quality=sorted(
                {
                    (q.base_model, q.build_id or "", q.metric, q.kind): q
                    for v in views
                    for q in v.quality
                }.values(),
                key=lambda q: (q.base_model, q.metric, q.kind),
            ),
            builds=[v.build for v in views],
            runs=store.runs(),
        )
        return json.dumps(to_dict(ds), indent=1) + "\n"
    by_dataset = {
        f"dataset:{name}": str(info["attribution"])
        for name, info in store.datasets().items()
        if info.get("attribution")
    }
    if fmt not in ("csv", "md"):
        raise ArenaError(f"--format {fmt!r}: expected json, csv, md or html")
    sizes = store.suite_sizes()
    if suite is not None:
        resolve_suite(cat, sizes, suite)  # an unknown id is an error naming the valid ones
    suites = [suite] if suite else [s for s in suite_order(cat, sizes) if sizes.get(s)]
    rows: list[dict[str, object]] = []
    for in_suite in suites:
        for v in store.builds(in_suite):
            rows += _flat_rows(v, cat, in_suite, by_dataset)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=FLAT_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    out = ["| " + " | ".join(FLAT_FIELDS) + " |", "|" + "---|" * len(FLAT_FIELDS)]
    for row in rows:
        cells = ["" if row[f] is None else str(row[f]).replace("|", "\\|") for f in FLAT_FIELDS]
        out.append("| " + " | ".join(cells) + " |")
    notes = sorted({str(d["attribution"]) for d in store.datasets().values()})
    return "\n".join(out + [""] + [f"_{n}_" for n in notes]) + "\n"


def _flat_rows(
    v: BuildView, cat: Catalog, suite: str | None, by_dataset: dict[str, str]
) -> list[dict[str, object]]:
    """One row per bench result the build shows in `suite`, in the suite's bench order."""
    rows: list[dict[str, object]] = []
    for bench_id in [b for b in bench_order(cat, suite, v.results) if b in v.results]:
        r = v.results[bench_id]
        energy = r.energy
        rows.append(
            {
                "build": v.build.id,
                "name": v.build.name,
                "precision": v.build.precision,
                "bench": bench_id,
                "tps_per_user": r.tps_per_user,
                "std": r.std,
                "tps_total": r.tps_total,
                "ttft_p50_ms": r.ttft_p50_ms,
                "ttft_p95_ms": r.ttft_p95_ms,
                "ttft_mean_ms": r.ttft_mean_ms,
                "completed": r.completed,
                "failed": r.failed,
                "vram_gb": v.build.vram_gb,
                "vram_method": v.build.vram_method,
                "tool": r.source.tool,
                "tool_version": r.source.tool_version,
                "file": r.source.file,
                "date": r.source.date,
                "attribution": by_dataset.get(v.origin),
                "suite": suite,
                "run": v.result_runs.get(bench_id),
                "mean_power_w": energy.mean_power_w if energy else None,
                "peak_power_w": energy.peak_power_w if energy else None,
                "joules_per_output_token": energy.joules_per_output_token if energy else None,
            }
        )
    return rows
