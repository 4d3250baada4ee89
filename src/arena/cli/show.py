"""Human-readable views of one build and of the catalog."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table

from arena.catalog import Catalog
from arena.cli.common import console, fmt_num
from arena.service import BuildDetail
from arena.store.views import DatasetInfo

METRIC_TITLES = {
    "mmlu_pro": "MMLU-Pro",
    "gpqa_diamond": "GPQA Diamond",
    "humaneval": "HumanEval",
    "livecodebench": "LiveCodeBench",
}


def _n(x: float | None, nd: int = 1) -> str:
    return fmt_num(x, nd)


def show_text(d: BuildDetail, cat: Catalog, datasets: Mapping[str, DatasetInfo]) -> None:
    """Metadata, quality with sources, benches with provenance."""
    console.print(f"[bold]{d['name']}[/]  ({d['id']})", highlight=False)
    params = (
        f"{_n(d['params_total_b'])}B total / {_n(d['params_active_b'])}B active"
        if d["params_total_b"] is not None
        else "params unknown"
    )
    console.print(
        f"base {d['base_model']} · checkpoint {d['checkpoint'] or '–'} · "
        f"{d['architecture'] or 'arch unknown'} · {params} · bucket {d['bucket'] or '–'}",
        highlight=False,
    )
    console.print(
        f"{d['precision']} on {d['engine'] or '?'} {d['engine_version'] or ''} · "
        f"{d['hardware']['name']} · run {d['run_date'] or '–'}",
        highlight=False,
    )
    vram = "unknown" if d["vram_gb"] is None else f"{d['vram_gb']:.2f} GB"
    console.print(
        f"VRAM {vram} ({d['vram_method'] or 'no method'}"
        f"{', from ' + d['vram_source'] if d['vram_source'] else ''})",
        highlight=False,
    )
    qt = Table(title="Quality (0-100)", title_justify="left")
    for col in ("Metric", "Value", "Kind", "Source", "Date", "Note"):
        qt.add_column(col)
    for metric, entries in d["quality"].items():
        for q in entries:
            qt.add_row(
                METRIC_TITLES.get(metric, metric),
                _n(q["value"]),
                q["kind"],
                q["source"],
                q["retrieved"] or "–",
                q["note"] or "",
            )
    if not d["quality"]:
        qt.add_row("–", "no quality data", "", "", "")
    console.print(qt)
    bt = Table(
        title=f"Benches ({d['benches_measured']}/{len(cat.benches)} measured)", title_justify="left"
    )
    wide = console.width >= 140
    cols = [
        "Bench",
        "tok/s per user",
        "± std",
        "tok/s total",
        "TTFT p50",
        "TTFT p95",
        "TTFT mean",
        "Tool",
    ] + (["File"] if wide else [])
    for col in cols:
        bt.add_column(
            col,
            justify="left" if col in ("Bench", "Tool", "File") else "right",
            no_wrap=col in ("Bench", "tok/s per user"),
        )
    for bench_id, b in d["benches"].items():
        if b is None:
            bt.add_row(bench_id, "no measurement", *[""] * (len(cols) - 2))
            continue
        src = b["source"]
        bt.add_row(
            bench_id,
            _n(b["tps_per_user"]),
            _n(b["std"], 2),
            _n(b["tps_total"]),
            _n(b["ttft_p50_ms"], 0),
            _n(b["ttft_p95_ms"], 0),
            _n(b["ttft_mean_ms"], 0),
            f"{src['tool']} {src['tool_version'] or ''}",
            *([src["file"] or ""] if wide else []),
        )
    console.print(bt)
    origin = d["origin"].removeprefix("dataset:")
    if origin in datasets:
        console.print(str(datasets[origin]["attribution"]), highlight=False)


def show_catalog(cat: Catalog) -> None:
    """Benches, presets and buckets as three tables."""
    bt = Table(title="Benches", title_justify="left")
    for col in ("id", "mode", "shape", "headline"):
        bt.add_column(col)
    for b in cat.benches.values():
        if b.mode == "closed":
            shape = (
                f"pp {'/'.join(map(str, b.prompt_tokens))}, tg {b.output_tokens}"
                f"{f', depth {b.depth}' if b.depth else ''}, c={','.join(map(str, b.concurrency))}"
            )
            head = f"tg t/s (req) at c={b.reference_concurrency}"
        else:
            shape = (
                f"{b.dataset} {'/'.join(map(str, b.prompt_tokens)) or 'dataset'} in, "
                f"{b.output_tokens or 'dataset'} out, {b.request_rate} rps, "
                f"burstiness {b.burstiness}, {b.num_prompts} prompts"
                f"{f', max {b.max_concurrency} concurrent' if b.max_concurrency else ''}"
            )
            head = "1000 / median TPOT ms"
        bt.add_row(b.id, b.mode, shape, head)
    console.print(bt)
    pt = Table(title="Presets", title_justify="left")
    for col in ("id", "title", "Q", "G", "E", "benches"):
        pt.add_column(col)
    for p in cat.presets.values():
        benches = "mean over " + str(len(p.benches)) if len(p.benches) > 1 else p.benches[0]
        pt.add_row(
            p.id, p.title, f"{p.quality:.0%}", f"{p.throughput:.0%}", f"{p.efficiency:.0%}", benches
        )
    console.print(pt)
    kt = Table(title="Buckets (total params, billions)", title_justify="left")
    for col in ("id", "title", "from", "below"):
        kt.add_column(col)
    for k in cat.buckets.values():
        kt.add_row(k.id, k.title, _n(k.min_b, 0), _n(k.max_b, 0))
    console.print(kt)
