"""llama-benchy closed-loop results (0.3.x markdown, 0.4.x JSON/CSV) into per-point rows."""
# This module reads the pipe tables (markdown, and CSV with the same pp/tg lines); JSON reports
# are read by llama_benchy_json and the record is built by llama_benchy_record.

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from arena.errors import ArenaError
from arena.importers.common import bash_command, read_text
from arena.importers.llama_benchy_record import ROW_KEYS, Pair, ParsedClosed, Row

# Table column (md header or CSV prefix) -> role; a role is a metric minus its pp_/tg_ phase.
MD_ROLES = {
    "t/s (total)": "tps_total",
    "t/s": "tps_total",
    "t/s (req)": "tps_req",
    "peak t/s": "peak_tps",
    "peak t/s (req)": "peak_tps_req",
    "ttfr (ms)": "ttfr_ms",
    "est_ppt (ms)": "est_ppt_ms",
    "e2e_ttft (ms)": "e2e_ttft_ms",
}
CSV_ROLES = {
    "t_s": "tps_total",
    "t_s_req": "tps_req",
    "peak_ts": "peak_tps",
    "peak_ts_req": "peak_tps_req",
    "ttfr": "ttfr_ms",
    "est_ppt": "est_ppt_ms",
    "e2e_ttft": "e2e_ttft_ms",
}
TEST_NAME = re.compile(r"^(pp|tg)(\d+)(?: @ d(\d+))?(?: \(c(\d+)\))?$")
CELL = re.compile(r"^([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:\s*±\s*([-+]?\d+(?:\.\d+)?))?$")
VERSION = re.compile(r"llama-benchy \((?:build: )?([^)]+)\)")
DATE = re.compile(
    r"^(?:date|\*\*Generated:\*\*):?\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class _Entry:
    """One pp or tg line of a table before pairing."""

    kind: str
    tokens: int
    depth: int
    concurrency: int
    values: dict[str, Pair]


def _cell(where: str, column: str, text: str) -> Pair:
    """'mean ± std', a bare number or empty; anything else names file, line and column."""
    text = text.strip()
    if not text or text.lower() in ("none", "nan"):
        return None, None
    match = CELL.match(text)
    if match is None:
        raise ArenaError(f"{where}: column '{column}': expected 'mean ± std', got {text!r}")
    std = match.group(2)
    return float(match.group(1)), (float(std) if std is not None else None)


def _entry(where: str, test: str, values: dict[str, Pair]) -> _Entry | None:
    """Decode a test name such as 'pp2048 @ d4 (c10)'; ctx_* prefill rows give None."""
    test = test.strip()
    if test.startswith("ctx_"):
        return None
    match = TEST_NAME.match(test)
    if match is None:
        raise ArenaError(f"{where}: test {test!r}: expected 'ppN|tgN [@ dN] [(cN)]'")
    kind, tokens, depth, conc = match.groups()
    return _Entry(kind, int(tokens), int(depth or 0), int(conc or 1), values)


def _merge(entries: list[_Entry], file: str) -> list[Row]:
    """Pair each tg line with the pp line before it at the same depth and concurrency."""
    rows: list[Row] = []
    open_pp: Row | None = None
    for e in entries:
        if (
            e.kind == "pp"
            or open_pp is None
            or (open_pp["depth"], open_pp["concurrency"]) != (e.depth, e.concurrency)
        ):
            row: Row = dict.fromkeys(ROW_KEYS)
            row.update(depth=e.depth, concurrency=e.concurrency, file=file)
            rows.append(row)
        else:
            row = open_pp
        phase = "pp" if e.kind == "pp" else "tg"
        row["prompt_tokens" if phase == "pp" else "output_tokens"] = e.tokens
        for role, (mean, std) in e.values.items():
            key = f"{phase}_{role}" if role.startswith("tps") else role
            if mean is not None or row.get(key) is None:
                row[key], row[f"{key}_std"] = mean, std
        if e.concurrency == 1 and row[f"{phase}_tps_req"] is None:
            row[f"{phase}_tps_req"] = row[f"{phase}_tps_total"]
            row[f"{phase}_tps_req_std"] = row[f"{phase}_tps_total_std"]
        open_pp = row if phase == "pp" else None
    return rows


def _is_header(line: str) -> bool:
    """The table header line: '| model | test | ...'."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    return line.lstrip().startswith("|") and "test" in cells and "model" in cells


def parse_markdown(path: Path, text: str | None = None) -> ParsedClosed:
    """The results table of a 0.3.x .md report, its .log, or a bare pipe table."""
    text = read_text(path) if text is None else text
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if _is_header(ln)), None)
    if start is None:
        raise ArenaError(f"{path}: no llama-benchy results table (header '| model | test |')")
    header = [c.strip() for c in lines[start].strip().strip("|").split("|")]
    unknown = [c for c in header if c not in MD_ROLES and c not in ("model", "test")]
    if "test" not in header or unknown:
        raise ArenaError(f"{path}:{start + 1}: unexpected table columns {unknown or header}")
    entries: list[_Entry] = []
    skipped: list[str] = []
    model: str | None = None
    for n in range(start + 1, len(lines)):
        line = lines[n].strip()
        if not line.startswith("|"):
            break
        if set(line) <= set("|:- "):
            continue
        where = f"{path}:{n + 1}"
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != len(header) or not line.endswith("|"):
            raise ArenaError(f"{where}: table row has {len(cells)} cells, header has {len(header)}")
        row = dict(zip(header, cells, strict=True))
        model = model or row.get("model") or None
        values = {MD_ROLES[c]: _cell(where, c, row[c]) for c in header if c in MD_ROLES}
        entry = _entry(where, row["test"], values)
        if entry is None:
            skipped.append(row["test"])
        else:
            entries.append(entry)
    if not entries:
        raise ArenaError(f"{path}:{start + 1}: results table has no pp/tg rows")
    version = VERSION.search(text)
    dates = DATE.findall(text)
    return ParsedClosed(
        file=path.name,
        rows=_merge(entries, path.name),
        tool_version=version.group(1).strip() if version else None,
        date=f"{dates[-1][0]}T{dates[-1][1]}" if dates else None,
        command=bash_command(text),
        model=model,
        skipped=skipped,
    )


def parse_csv(path: Path) -> ParsedClosed:
    """A 0.4.x `--format csv` file: one line per pp/tg test, metrics as *_mean/*_std columns."""
    reader = csv.DictReader(read_text(path).splitlines())
    fields = reader.fieldnames or []
    if "test_name" not in fields or "t_s_mean" not in fields:
        raise ArenaError(f"{path}: not a llama-benchy CSV (needs columns test_name, t_s_mean)")
    entries: list[_Entry] = []
    skipped: list[str] = []
    model: str | None = None
    for rec in reader:
        where = f"{path}:{reader.line_num}"
        model = model or rec.get("model") or None
        values: dict[str, Pair] = {}
        for prefix, role in CSV_ROLES.items():
            if f"{prefix}_mean" in rec:
                mean = _cell(where, f"{prefix}_mean", rec[f"{prefix}_mean"] or "")[0]
                std = _cell(where, f"{prefix}_std", rec.get(f"{prefix}_std") or "")[0]
                values[role] = (mean, std)
        entry = _entry(where, rec["test_name"] or "", values)
        if entry is None:
            skipped.append(rec["test_name"] or "")
        else:
            entries.append(entry)
    if not entries:
        raise ArenaError(f"{path}: CSV has no pp/tg rows")
    return ParsedClosed(path.name, _merge(entries, path.name), model=model, skipped=skipped)
