"""Human-readable views of one build and of the catalog."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text

from arena.catalog import Catalog
from arena.cli.common import answer_text, console, cost_line, cost_title, fmt_num
from arena.service import BenchDetail, BuildDetail, RunEntry
from arena.service.cost import cost_basis
from arena.service.roofline import ABOVE, LEAVES_OUT, NO_SINGLE_USER
from arena.service.shapes import SanityDetail
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
    console.print(
        f"suite {d['suite'] or '–'} · run {d['run_id'] or '–'} · {sanity_text(d['sanity'])}",
        highlight=False,
        markup=False,
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
    console.print(runs_table(d))
    bt = Table(
        title=f"Benches ({d['benches_measured']}/{d['benches_total']} measured)",
        title_justify="left",
    )
    wide = console.width >= 140
    costs = {k: c for k, b in d["benches"].items() if b is not None and (c := b["cost"])}
    basis = next(iter(costs.values()), None)
    cols = [
        "Bench",
        "tok/s per user",
        "± std",
        "tok/s total",
        "TTFT p50",
        "TTFT p95",
        "TTFT mean",
        "W mean/peak",
        "J/tok",
        *([cost_title(basis)] if basis else []),
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
            power_text(b),
            _n(b["energy"]["joules_per_output_token"], 2) if b["energy"] else "–",
            *([_n(b["cost"]["per_mtok"], 3) if b["cost"] else "–"] if basis else []),
            f"{src['tool']} {src['tool_version'] or ''}",
            *([src["file"] or ""] if wide else []),
        )
    console.print(bt)
    if basis:
        console.print(
            cost_line(basis, "per bench from its measured J/tok and output tok/s"),
            highlight=False,
            markup=False,
        )
    for line in roofline_lines(d):
        console.print(line, highlight=False, markup=False)
    for bench_id, b in d["benches"].items():
        if b is not None and (b["capacity"] is not None or b["steps"] is not None):
            console.print(sweep_table(bench_id, b))
    origin = d["origin"].removeprefix("dataset:")
    if origin in datasets:
        console.print(str(datasets[origin]["attribution"]), highlight=False)


def roofline_lines(d: BuildDetail) -> list[str]:
    """Per closed-loop bench, decode tok/s per user as a share of the bandwidth bound; benches
    above it get the note that says why that cannot be plain decoding."""
    roofs = {k: r for k, b in d["benches"].items() if b is not None and (r := b["roofline"])}
    if not roofs:
        return []
    first = next(iter(roofs.values()))
    parts = [
        f"{k} {r['fraction']:.0%}{' (c>1)' if NO_SINGLE_USER in r['note'] else ''}"
        for k, r in roofs.items()
    ]
    lines = [
        f"Roofline: decode tok/s per user as a share of {first['bound_tps']:g} tok/s "
        f"({d['hardware']['name']}): " + ", ".join(parts),
        f"  (c>1: no c = 1 row, the reference point instead) {LEAVES_OUT}",
    ]
    return lines + [f"  {k}: {ABOVE}" for k, r in roofs.items() if r["fraction"] > 1]


def sanity_text(s: SanityDetail) -> str:
    """'sanity ok', 'sanity not checked', or a badge-like 'suspect: <answer>'."""
    if s["verdict"] == "suspect":
        return f"suspect: {answer_text(s['answer'])}" + (f" ({s['reason']})" if s["reason"] else "")
    return "sanity not checked" if s["verdict"] == "not-checked" else f"sanity {s['verdict']}"


def runs_table(d: BuildDetail) -> Table:
    """Every stored run of the build, newest first; the one shown marked. Runs from a board
    (another host, another hardware, a retraction) add Hardware, Host and Trust columns."""
    title = f"Runs ({len(d['runs'])}, newest first)"
    if d["reproduced"]:
        title += f" · reproduced: runs from {d['hosts']} hosts agree"
    rt = Table(title=title, title_justify="left")
    board = any(
        r["submitted_by"] or r["retracted"] or r["hardware_id"] != d["hardware"]["id"]
        for r in d["runs"]
    )
    cols = ["", "Run", "Suite", "Date", "Engine", "Benches", "Sanity", "Origin"]
    for col in cols + (["Hardware", "Host", "Trust"] if board else []):
        rt.add_column(col)
    for r in d["runs"]:
        extra: list[str | Text] = [r["hardware_id"], r["host"], trust_text(r)] if board else []
        rt.add_row(
            "*" if r["id"] == d["run_id"] else "",
            r["id"],
            r["suite"],
            r["date"] or r["recorded_at"][:10],
            f"{r['engine'] or '?'} {r['engine_version'] or ''}".strip(),
            f"{len(r['good'])}/{len(r['benches'])}",
            Text(sanity_text(r["sanity"])),
            r["origin"],
            *extra,
        )
    return rt


def trust_text(r: RunEntry) -> Text:
    """Retracted (with the reason, struck through), disagrees, agrees, or a dash."""
    if r["retracted"]:
        reason = r["retracted"]["reason"] or "no reason given"
        return Text(f"retracted {r['retracted']['at'][:10]}: {reason}", style="strike")
    return Text(r["agreement"] or "–")


def power_text(b: BenchDetail) -> str:
    """Mean and peak power while the bench ran, or '–' without telemetry."""
    e = b["energy"]
    return "–" if e is None else f"{_n(e['mean_power_w'], 0)}/{_n(e['peak_power_w'], 0)}"


def sweep_table(bench_id: str, b: BenchDetail) -> Table:
    """A rate sweep: capacity per p95-TTFT limit, then every offered rate."""
    st = Table(title=f"{bench_id}: capacity and steps", title_justify="left")
    for col in ("p95 TTFT limit s", "capacity rps", "achieved rps", "p95 TTFT ms"):
        st.add_column(col, justify="right")
    for c in b["capacity"] or []:
        limit = c["ttft_p95_limit_ms"]
        st.add_row(
            _n(None if limit is None else limit / 1000, 0),
            "no step meets it" if c["offered_rps"] is None else _n(c["offered_rps"], 2),
            _n(c["achieved_rps"], 2),
            _n(c["ttft_p95_ms"], 0),
        )
    steps = Table(show_header=True, box=None)
    cols = ("offered rps", "achieved rps", "done/total", "TTFT p50", "p95", "p99", "out tok/s")
    for col in (*cols, "peak conc."):
        steps.add_column(col, justify="right")
    for s in b["steps"] or []:
        steps.add_row(
            _n(s["offered_rps"], 2),
            _n(s["achieved_rps"], 2),
            f"{s['completed'] if s['completed'] is not None else '–'}/"
            f"{s['total'] if s['total'] is not None else '–'}",
            _n(s["ttft_p50_ms"], 0),
            _n(s["ttft_p95_ms"], 0),
            _n(s["ttft_p99_ms"], 0),
            _n(s["output_tps"], 1),
            "–" if s["peak_concurrency"] is None else str(s["peak_concurrency"]),
        )
    outer = Table.grid()
    outer.add_row(st)
    outer.add_row(steps)
    return outer


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
        elif b.mode == "sweep":
            shape = (
                f"{b.dataset} {'/'.join(map(str, b.prompt_tokens)) or 'dataset'} in, "
                f"{b.output_tokens or 'dataset'} out, {'/'.join(f'{r:g}' for r in b.request_rates)}"
                f" rps, burstiness {b.burstiness}, {b.step_seconds:g} s of arrivals per step"
            )
            head = (
                "capacity: rps under p95 TTFT "
                + "/".join(f"{x / 1000:g}" for x in b.ttft_p95_limits_ms)
                + " s"
            )
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
    ht = Table(title="Hardware profiles (--hardware-profile)", title_justify="left")
    for col in ("id", "name", "memory GB", "bandwidth GB/s", "source"):
        ht.add_column(col, overflow="fold")
    for h in cat.hardware.values():
        ht.add_row(h.id, h.name, f"{h.memory_gb:g}", f"{h.memory_bandwidth_gbs:g}", h.source)
    console.print(ht)
    if cat.cost is not None:
        line = cost_line(cost_basis(cat.cost), "shown per bench where power was measured")
        console.print(line, highlight=False, markup=False)
