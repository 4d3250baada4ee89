"""Leaderboard as a Rich table, Markdown or CSV; tier shown by colour and by a text label."""

from __future__ import annotations

import csv
import io

from rich.table import Table
from rich.text import Text

from arena.cli.common import fmt_num
from arena.service import Board, BoardRow

TIER_STYLE = {
    "leader": "bold blue",
    "tail": "grey50",
    "top": "green",
    "middle": "yellow",
    "bottom": "red",
}
NO_MEASUREMENT = "no measurement"


def tier_label(row: BoardRow) -> str:
    """leader / tail override the norm tier, as on the seed page."""
    for flag in ("leader", "tail"):
        if flag in row["flags"]:
            return flag
    return str(row["tier"])


def _num(x: float | None, nd: int = 1) -> str:
    return fmt_num(x, nd)


def throughput_cell(row: BoardRow, short: bool = False) -> str:
    """tok/s, or 'no measurement', with k/n benches when partial."""
    if "no-measurement" in row["flags"]:
        return NO_MEASUREMENT
    text = _num(row["throughput_tps"])
    if "partial-benches" in row["flags"]:
        unit = "" if short else " benches"
        text += f" ({row['benches_measured']}/{row['benches_total']}{unit})"
    for verdict in ("unreliable", "suspect"):
        if verdict in row["flags"]:
            text += f" {verdict}"
    return text


def vram_cell(row: BoardRow) -> str:
    """GB with '~' when estimated from params x bytes per parameter."""
    if row["vram_gb"] is None:
        return "unknown"
    mark = "~" if row.get("vram_method") == "estimated" else ""
    return f"{mark}{row['vram_gb']:.1f}"


def quality_cell(row: BoardRow) -> str:
    """Mean quality, or 'no data'."""
    return "no data" if "no-quality" in row["flags"] else _num(row["quality_raw"])


COLUMNS = [
    "#",
    "Model",
    "Precision",
    "Bucket",
    "Quality",
    "Throughput tok/s",
    "Efficiency tok/s/GB",
    "VRAM GB",
    "TTFT ms",
    "Score",
    "Tier",
    "Pareto",
]


def cells(row: BoardRow) -> list[str]:
    """One row's display strings in COLUMNS order."""
    return [
        str(row["rank"]),
        row["name"],
        row["precision"],
        row["bucket"] or "–",
        quality_cell(row),
        throughput_cell(row),
        _num(row["efficiency_raw"], 2),
        vram_cell(row),
        _num(row["ttft_ms"], 0),
        f"{row['score']:.1f}",
        tier_label(row),
        "frontier" if row["pareto"] else "dominated",
    ]


def quality_sources(data: Board) -> str:
    """The kinds of quality numbers that fed this ranking, e.g. 'model-card, measured'."""
    kinds = sorted({k for r in data["rows"] for k in r.get("quality_kinds", {}).values() if k})
    return ", ".join(kinds) or "no source (no quality data)"


def caption(data: Board) -> str:
    """Weights formula, sources and attribution under the table."""
    w = data["weights"]
    lines = [
        f"score = {w['quality']:.0%}·Quality + {w['throughput']:.0%}·Throughput + "
        f"{w['efficiency']:.0%}·Efficiency  (each 0-100, 100 = best in bucket '{data['bucket']}')",
        "Throughput: measured tok/s per user (llama-benchy / vllm bench serve / arena bench); "
        f"Quality: mean of MMLU-Pro, GPQA, HumanEval/LCB from {quality_sources(data)} "
        "(sources: arena show ID); VRAM ~ = estimated",
    ]
    lines += data["attribution"]
    return "\n".join(lines)


COMPACT = ["#", "Build", "Quality", "tok/s", "tok/s/GB", "VRAM GB", "TTFT ms", "Score"]
NARROW = ("#", "Build", "Quality", "tok/s", "Score")


def rich_table(data: Board, title: str, width: int = 200) -> Table:
    """Coloured terminal table; narrower terminals get fewer columns, keyed by build id."""
    compact = width < 140
    cols = [c for c in COMPACT if width >= 100 or c in NARROW] if compact else COLUMNS
    table = Table(title=title, caption=caption(data), caption_justify="left")
    for col in cols:
        left = col in ("Model", "Build", "Precision", "Tier")
        if compact and col == "Build":  # a long id folds; the numbers and headers stay whole
            table.add_column(col, justify="left", overflow="fold")
        else:
            table.add_column(
                col, justify="left" if left else "right", min_width=len(col), no_wrap=compact
            )
    for row in data["rows"]:
        label = tier_label(row)
        style = TIER_STYLE[label]
        plain = cells(row)
        tput: str | Text = throughput_cell(row, short=compact)
        if "no-measurement" in row["flags"]:
            tput = Text(NO_MEASUREMENT, style="italic grey50")
        if compact:
            front = "*" if row["pareto"] else " "
            values: list[str | Text] = [
                plain[0],
                f"{front}{row['model']}",
                plain[4],
                tput,
                plain[6],
                plain[7],
                plain[8],
                Text(f"{plain[9]} {label}", style=style),
            ]
            table.add_row(*[v for v, c in zip(values, COMPACT, strict=True) if c in cols])
        else:
            table.add_row(
                *plain[:5],
                tput,
                *plain[6:9],
                Text(plain[9], style=style),
                Text(plain[10], style=style),
                plain[11],
            )
    if compact:
        table.caption = (
            table.caption or ""
        ) + "\n* = on the Pareto frontier (nothing is both faster and smarter)"
    return table


def markdown(data: Board, title: str) -> str:
    """A GitHub/forum-ready Markdown table with the caption as a footnote."""
    out = [
        f"### {title}",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|"
        + "|".join("---:" if c not in ("Model", "Precision", "Tier") else ":---" for c in COLUMNS)
        + "|",
    ]
    for row in data["rows"]:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row)) + " |")
    out += ["", *[f"_{line}_  " for line in caption(data).splitlines()]]
    return "\n".join(out) + "\n"


CSV_FIELDS = [
    "rank",
    "model",
    "name",
    "precision",
    "bucket",
    "quality_raw",
    "throughput_tps",
    "benches_measured",
    "benches_total",
    "vram_gb",
    "vram_method",
    "efficiency_raw",
    "ttft_ms",
    "Q",
    "G",
    "E",
    "score",
    "norm",
    "tier",
    "pareto",
    "flags",
    "attribution",
]


def csv_text(data: Board) -> str:
    """Machine-readable rows; flags joined with ';'."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in data["rows"]:
        writer.writerow({**row, "flags": ";".join(row["flags"])})
    return buf.getvalue()
