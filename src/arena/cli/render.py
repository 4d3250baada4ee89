"""Leaderboard as a Rich table, Markdown or CSV; tier shown by colour and by a text label."""

from __future__ import annotations

import csv
import io

from rich.table import Table
from rich.text import Text

from arena.cli.common import answer_text, cost_line, cost_title, fmt_num
from arena.service import Board, BoardRow

TIER_STYLE = {
    "leader": "bold blue",
    "tail": "grey50",
    "top": "green",
    "middle": "yellow",
    "bottom": "red",
}
NO_MEASUREMENT = "no measurement"
NO_TIER = "–"  # its tok/s cell says "no measurement"; the page's wider cell says it again
TIER_STYLE[NO_TIER] = "grey50"


def tier_label(row: BoardRow) -> str:
    """leader, then none for an unmeasured row (a score without throughput is no tier), then
    tail override the norm tier, as on the page."""
    if "leader" in row["flags"]:
        return "leader"
    if "no-measurement" in row["flags"]:
        return NO_TIER
    return "tail" if "tail" in row["flags"] else str(row["tier"])


def efficiency_cell(row: BoardRow, nd: int) -> str:
    """Throughput per GB, or '–' when nothing was measured (not a measured 0)."""
    return "–" if "no-measurement" in row["flags"] else _num(row["efficiency_raw"], nd)


def _num(x: float | None, nd: int = 1) -> str:
    return fmt_num(x, nd)


def throughput_cell(row: BoardRow, short: bool = False, nd: int = 1) -> str:
    """tok/s (or the preset's capacity), or 'no measurement', with k/n benches when partial."""
    if "no-measurement" in row["flags"]:
        return NO_MEASUREMENT
    text = _num(row["throughput_tps"], nd)
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
    "J/tok",
    "Score",
    "Tier",
    "Pareto",
]
CAPACITY = "Capacity rps"  # the rate sweep's capacity at p95 TTFT <= 5 s, beside tok/s
TPS = "tps_per_user"


def ranks_capacity(data: Board) -> bool:
    """The preset's G is a capacity (requests/s at a p95-TTFT limit), not tok/s."""
    return data["measure"] != TPS


def capacity_column(data: Board) -> bool:
    """A capacity column beside tok/s: when some row has one and G is not the capacity."""
    return not ranks_capacity(data) and any(r["capacity_rps_5s"] is not None for r in data["rows"])


COST = "Cost/Mtok"  # cost per million output tokens, after J/tok, with a [cost] config


def columns(data: Board) -> list[str]:
    """COLUMNS (ids of the cells), with the capacity column after the throughput and the cost
    column after J/tok when shown."""
    cols = COLUMNS
    if data.get("cost") is not None:
        at = cols.index("J/tok") + 1
        cols = [*cols[:at], COST, *cols[at:]]
    if capacity_column(data):
        at = cols.index("Throughput tok/s") + 1
        cols = [*cols[:at], CAPACITY, *cols[at:]]
    return cols


def headers(data: Board) -> list[str]:
    """Column titles: G and E say requests/s when the preset ranks a capacity."""
    if not ranks_capacity(data):
        return titled(data, columns(data))
    limit = data["measure"].removeprefix("capacity_rps_")
    rename = {
        "Throughput tok/s": f"Capacity rps @{limit}",
        "Efficiency tok/s/GB": "Efficiency rps/GB",
    }
    return titled(data, [rename.get(c, c) for c in columns(data)])


def titled(data: Board, cols: list[str]) -> list[str]:
    """The cost column titled with its currency, e.g. 'USD/Mtok'."""
    basis = data.get("cost")
    return [cost_title(basis) if c == COST and basis else c for c in cols]


def model_cell(row: BoardRow) -> str:
    """The name, with the sanity verdict when the run shown failed its sanity question."""
    if row["sanity"]["verdict"] != "suspect":
        return row["name"]
    return f"{row['name']} [sanity suspect: {answer_text(row['sanity']['answer'], 24)}]"


def cells(row: BoardRow, data: Board | None = None) -> list[str]:
    """One row's display strings in `columns(data)` order (COLUMNS without a board)."""
    capacity = data is not None and ranks_capacity(data)
    out = [
        str(row["rank"]),
        model_cell(row),
        row["precision"],
        row["bucket"] or "–",
        quality_cell(row),
        throughput_cell(row, nd=2 if capacity else 1),
        efficiency_cell(row, 3 if capacity else 2),
        vram_cell(row),
        _num(row["ttft_ms"], 0),
        _num(row["joules_per_token"], 2),
        f"{row['score']:.1f}",
        tier_label(row),
        "frontier" if row["pareto"] else "dominated",
    ]
    if data is not None and data.get("cost") is not None:
        out.insert(COLUMNS.index("J/tok") + 1, _num(row["cost_per_mtok"], 3))
    if data is not None and capacity_column(data):
        out.insert(COLUMNS.index("Throughput tok/s") + 1, _num(row["capacity_rps_5s"], 2))
    return out


def quality_sources(data: Board) -> str:
    """The kinds of quality numbers that fed this ranking, e.g. 'model-card, measured'."""
    kinds = sorted({k for r in data["rows"] for k in r.get("quality_kinds", {}).values() if k})
    return ", ".join(kinds) or "no source (no quality data)"


def caption(data: Board) -> str:
    """Weights formula, sources and attribution under the table."""
    w = data["weights"]
    suite = data["suite"] or "–"
    lines = [
        f"score = {w['quality']:.0%}·Quality + {w['throughput']:.0%}·Throughput + "
        f"{w['efficiency']:.0%}·Efficiency  (each 0-100, 100 = best in bucket '{data['bucket']}')",
        "Throughput: measured tok/s per user (llama-benchy / vllm bench serve / arena bench); "
        f"Quality: mean of MMLU-Pro, GPQA, HumanEval/LCB from {quality_sources(data)} "
        "(sources: arena show ID); VRAM ~ = estimated; "
        "J/tok = mean power x bench duration / output tokens, mean over the preset's benches "
        "with telemetry",
        *(
            ["Capacity rps: requests/s a rate sweep offered while p95 TTFT stayed within the limit"]
            if ranks_capacity(data) or capacity_column(data)
            else []
        ),
        *budget_lines(data),
        *(
            [cost_line(basis, "mean over the preset's benches with telemetry")]
            if (basis := data.get("cost"))
            else []
        ),
        f"Suite {suite}; others with data: "
        + (", ".join(s["id"] for s in data["suites"] if s["id"] != data["suite"]) or "none")
        + " (--suite ID)",
        *hardware_lines(data),
    ]
    lines += data["attribution"]
    return "\n".join(lines)


def hardware_lines(data: Board) -> list[str]:
    """The cohort's hardware and the others with data in the suite (scores compare within one)."""
    shown = data.get("hardware")
    present = [h for s in data["suites"] if s["id"] == data["suite"] for h in s["hardware"]]
    others = [h for h in present if shown and h["id"] != shown["id"]]
    if shown is None or not others:
        return []
    listed = ", ".join(f"{h['id']} ({h['builds']} build{'s' * (h['builds'] != 1)})" for h in others)
    return [f"Hardware {shown['id']}; others with data: {listed} (--hardware ID)"]


def budget_lines(data: Board) -> list[str]:
    """What a memory budget left out of the cohort, and what it kept without knowing."""
    budget = data.get("max_vram_gb")
    if budget is None:
        return []
    hidden, unknown = data["hidden_over_budget"], data["unknown_vram_kept"]
    return [
        f"Memory budget {budget:g} GB: {hidden} build{'s' * (hidden != 1)} over it hidden "
        f"before scoring (scores are relative to what fits); {unknown} with unknown VRAM kept "
        "(flag no-vram)"
    ]


COMPACT = ["#", "Build", "Quality", "tok/s", "tok/s/GB", "VRAM GB", "TTFT ms", "J/tok", "Score"]
NARROW = ("#", "Build", "Quality", "tok/s", "Score")


def rich_table(data: Board, title: str, width: int = 200) -> Table:
    """Coloured terminal table; narrower terminals get fewer columns, keyed by build id."""
    extra = capacity_column(data)
    compact = width < (180 if extra else 140)
    if compact:
        cols = [c for c in COMPACT if width >= 100 or c in NARROW]
        if extra and width >= 100:
            cols.insert(cols.index("tok/s") + 1, "rps@5s")
        titles = {c: c for c in cols}
        if ranks_capacity(data):
            titles.update({"tok/s": "rps", "tok/s/GB": "rps/GB"})
    else:
        cols = columns(data)
        titles = dict(zip(cols, headers(data), strict=True))
    table = Table(title=title, caption=caption(data), caption_justify="left")
    for key in cols:
        col = titles[key]
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
        by_col: dict[str, str | Text] = dict(zip(columns(data), cells(row, data), strict=True))
        tput: str | Text = throughput_cell(row, short=compact, nd=2 if ranks_capacity(data) else 1)
        if "no-measurement" in row["flags"]:
            tput = Text(NO_MEASUREMENT, style="italic grey50")
        by_col["Model"] = Text(str(by_col["Model"]))  # data, never Rich markup
        by_col["Throughput tok/s"] = tput
        by_col["Score"] = Text(str(by_col["Score"]), style=style)
        by_col["Tier"] = Text(label, style=style)
        if compact:
            front = "*" if row["pareto"] else " "
            suspect = " suspect" if row["sanity"]["verdict"] == "suspect" else ""
            short: dict[str, str | Text] = {
                "#": by_col["#"],
                "Build": Text(f"{front}{row['model']}{suspect}"),
                "Quality": by_col["Quality"],
                "tok/s": tput,
                "rps@5s": by_col.get(CAPACITY, ""),
                "tok/s/GB": by_col["Efficiency tok/s/GB"],
                "VRAM GB": by_col["VRAM GB"],
                "TTFT ms": by_col["TTFT ms"],
                "J/tok": by_col["J/tok"],
                "Score": Text(f"{row['score']:.1f} {label}", style=style),
            }
            table.add_row(*[short[c] for c in cols])
        else:
            table.add_row(*[by_col[c] for c in cols])
    if compact:
        table.caption = (
            table.caption or ""
        ) + "\n* = on the Pareto frontier (nothing is both faster and smarter)"
    return table


def markdown(data: Board, title: str) -> str:
    """A GitHub/forum-ready Markdown table with the caption as a footnote."""
    cols = headers(data)
    out = [
        f"### {title}",
        "",
        "| " + " | ".join(cols) + " |",
        "|"
        + "|".join("---:" if c not in ("Model", "Precision", "Tier") else ":---" for c in cols)
        + "|",
    ]
    for row in data["rows"]:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row, data)) + " |")
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
    "suite",
    "run_id",
    "capacity_rps_5s",
    "joules_per_token",
    "energy_benches",
    "sanity",
    "cost_per_mtok",
]


def csv_text(data: Board) -> str:
    """Machine-readable rows; flags joined with ';'."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in data["rows"]:
        writer.writerow(
            {**row, "flags": ";".join(row["flags"]), "sanity": row["sanity"]["verdict"]}
        )
    return buf.getvalue()
