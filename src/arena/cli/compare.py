"""`arena compare A B [C D]`: builds of one suite side by side, as a table, JSON or Markdown."""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from arena.cli.common import DbOption, SuiteOption, catalog, console, fmt_num, json_text, open_store
from arena.service import Comparison, compare
from arena.service.compare_shapes import BenchCompare

WORDS = {
    "exceeds": "exceeds spread",
    "within": "within spread",
    "spread unknown": "spread unknown",
    "no reference": "no reference value",
}


class CompareFormat(enum.StrEnum):
    """Output formats of a comparison."""

    table = "table"
    json = "json"
    md = "md"


def value_cell(b: BenchCompare, i: int) -> str:
    """A headline, and for the other builds its change against the reference and the verdict."""
    nd = 2 if b["measure"] != "tps_per_user" else 1
    value = fmt_num(b["values"][i], nd)
    delta = b["delta_pct"][i]
    if i == 0 or b["values"][i] is None:
        return value
    change = "–" if delta is None else f"{delta:+.1f} %"
    return f"{value} ({change}, {WORDS.get(b['verdict'][i], b['verdict'][i])})"


def sections(c: Comparison) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every part of a comparison as (title, header, rows) of plain text."""
    names = [f"{b['name']} ({b['id']})" for b in c["builds"]]
    benches = [
        [b["bench"], b["unit"], *[value_cell(b, i) for i in range(len(names))]]
        for b in c["benches"]
    ]
    quality = [
        [
            q["metric"],
            *[
                "–" if v is None else f"{fmt_num(v)} ({k}, {s})"
                for v, k, s in zip(q["values"], q["kinds"], q["sources"], strict=True)
            ],
        ]
        for q in c["quality"]
    ]
    vram = [
        [
            "VRAM",
            *[
                f"{fmt_num(v['gb'], 2)} GB ({v['method'] or 'no method'})"
                if v["gb"] is not None
                else "unknown"
                for v in c["vram"]
            ],
        ]
    ]
    config = [
        [d["key"], *[v if v is not None else "(not set)" for v in d["values"]]]
        for d in c["config_diff"]
    ]
    runs: list[list[str]] = []
    for br in c["runs_over_time"]:
        for p in br["runs"]:
            changes = ", ".join(
                f"{k} {v:+.1f} %" + (" (exceeds spread)" if p["exceeds_spread"].get(k) else "")
                for k, v in p["delta_pct"].items()
            )
            step = (
                ""
                if p["same_suite"] is None
                else (" (same suite)" if p["same_suite"] else " (across suites)")
            )
            runs.append(
                [
                    br["build"],
                    p["run_id"],
                    p["suite"],
                    p["hardware"],
                    (p["date"] or "–")[:10],
                    f"{p['engine'] or '?'} {p['engine_version'] or ''}".strip(),
                    (changes or "–") + step if p["previous"] else "first run",
                ]
            )
    head = ["Metric", *names]
    return [
        (
            f"Benches: headline per bench, change against {c['reference']}",
            ["Bench", "Unit", *names],
            benches,
        ),
        ("Quality (0-100): the number the leaderboard counts, kind and source", head, quality),
        ("VRAM", ["", *names], vram),
        ("Server config: keys whose values differ", ["Key", *names], config),
        (
            "Runs over time: headline change since the run before on the same hardware",
            ["Build", "Run", "Suite", "Hardware", "Date", "Engine", "Change"],
            runs,
        ),
    ]


def heading(c: Comparison) -> str:
    """The heading: suite, the hardware every headline comes from, and the reference."""
    hw = c["hardware"]
    return (
        f"Compare · suite {c['suite']} · hardware {hw['id']} ({hw['name']}) · "
        f"reference {c['reference']}"
    )


def footer(c: Comparison) -> list[str]:
    """The rule and the note on runs, said once under the tables."""
    return [f"Spread rule: {c['rule']}.", f"Runs over time: {c['runs_note']}."]


def markdown(c: Comparison) -> str:
    """The comparison as Markdown tables."""
    out = [f"# {heading(c)}", ""]
    for title, header, rows in sections(c):
        out += [f"## {title}", ""]
        if not rows:
            out += ["none", ""]
            continue
        out.append("| " + " | ".join(_md(h) for h in header) + " |")
        out.append("|" + "---|" * len(header))
        out += ["| " + " | ".join(_md(x) for x in row) + " |" for row in rows]
        out.append("")
    out += footer(c)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """A Markdown table cell: pipes escaped, on one line."""
    return " ".join(text.split()).replace("|", "\\|")


def print_tables(c: Comparison) -> None:
    """Rich tables; every cell is Text, so names like `[bold]` stay literal."""
    console.print(Text(heading(c), style="bold"))
    for title, header, rows in sections(c):
        t = Table(title=title, title_justify="left")
        for h in header:
            t.add_column(Text(h))
        for row in rows:
            t.add_row(*[Text(x) for x in row])
        if not rows:
            t.add_row(Text("none"), *[Text("") for _ in header[1:]])
        console.print(t)
    for line in footer(c):
        console.print(Text(line))


def compare_cmd(
    builds: Annotated[
        list[str], typer.Argument(help="2 to 4 build ids; the first is the reference.")
    ],
    suite: SuiteOption = None,
    hardware: Annotated[
        str | None,
        typer.Option(
            "--hardware",
            help="Hardware id every headline comes from; default: the suite's default hardware, "
            "else one all the builds have a run on.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        CompareFormat, typer.Option("--format", help="Output format.")
    ] = CompareFormat.table,
    db: DbOption = None,
) -> None:
    """Builds of one suite on one hardware side by side: headlines, % against the first, quality.

    Also VRAM, config differences, each headline's spread and each build's runs over time."""
    result = compare(open_store(db), catalog(), list(builds), suite, hardware)
    if fmt is CompareFormat.json:
        sys.stdout.write(json_text(result))
    elif fmt is CompareFormat.md:
        sys.stdout.write(markdown(result))
    else:
        print_tables(result)
