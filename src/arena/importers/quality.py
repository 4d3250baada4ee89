"""Quality numbers from a CSV or JSON file: base model, metric, value, source, date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from arena.errors import ArenaError
from arena.records import QualityKind, QualityRecord

METRIC_ALIASES = {
    "mmlu_pro": "mmlu_pro",
    "mmlu-pro": "mmlu_pro",
    "mmlupro": "mmlu_pro",
    "gpqa": "gpqa_diamond",
    "gpqa_diamond": "gpqa_diamond",
    "gpqa-diamond": "gpqa_diamond",
    "humaneval": "humaneval",
    "human_eval": "humaneval",
    "human-eval": "humaneval",
    "livecodebench": "livecodebench",
    "lcb": "livecodebench",
    "live_code_bench": "livecodebench",
}
FIELDS = ("base_model", "metric", "value", "source", "date")


def metric_id(name: str) -> str | None:
    """Canonical metric id for the names people write (MMLU-Pro, gpqa, LCB, ...)."""
    return METRIC_ALIASES.get(name.strip().lower().replace(" ", "_"))


@dataclass(frozen=True)
class _Checked:
    """One row after its fields passed the checks, before the file's scale is known."""

    where: str
    base_model: str
    metric: str
    written: object
    value: float
    source: str
    date: str | None
    note: str | None


def _rows(path: Path) -> list[tuple[str, object]]:
    """(where, row) pairs from CSV (header row) or JSON (list of objects)."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ArenaError(f"{path}: cannot read ({exc.strerror})") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArenaError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc
        if isinstance(data, dict) and isinstance(data.get("quality"), list):
            data = data["quality"]
        if not isinstance(data, list):
            raise ArenaError(f"{path}: expected a JSON list of objects with {', '.join(FIELDS)}")
        return [(f"{path}: item {i}", r) for i, r in enumerate(data)]
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in FIELDS[:4] if f not in (reader.fieldnames or [])]
    if missing:
        raise ArenaError(
            f"{path}: header lacks column '{missing[0]}'; expected columns {', '.join(FIELDS)}"
        )
    return [(f"{path}: row {i + 2}", dict(r)) for i, r in enumerate(reader)]


def on_one_scale(values: Sequence[tuple[str, object, float]], scope: str) -> list[float]:
    """(where, as written, value) -> values on 0-100; all 0-1 (fractions) or all 0-100."""
    # Any value above 1 puts the whole set on the 0-100 scale, and then a value in (0, 1] (0.707:
    # 70.7 % on the other scale, or 0.707 %?) cannot be read safely: an error. 0 is 0 on both.
    if values and all(v <= 1.0 for _, _, v in values):
        return [round(v * 100, 4) for _, _, v in values]
    for where, shown, v in values:
        if 0 < v <= 1:
            raise ArenaError(
                f"{where} = {shown!r}; expected all values 0-1 or all 0-100 "
                f"({scope} has values above 1)"
            )
    return [v for _, _, v in values]


def iso_date(where: str, raw: object) -> str | None:
    """A date as ISO YYYY-MM-DD (empty: None); anything else is a one-line error."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        dt.date.fromisoformat(text)
    except ValueError:
        raise ArenaError(f"{where} = {raw!r}; expected an ISO date YYYY-MM-DD") from None
    return text


def parse_quality_file(
    path: Path, kind: QualityKind = "imported", default_date: str | None = None
) -> list[QualityRecord]:
    """Every row checked first; one scale per file; rows without a date get `default_date`."""
    # All values 0-1 (read as fractions) or all 0-100, and a row that could be either in a mixed
    # file is an error.
    checked = [_check(where, row) for where, row in _rows(path)]
    scaled = on_one_scale(
        [(f"{c.where}: field 'value'", c.written, c.value) for c in checked], "this file"
    )
    return [
        QualityRecord(
            base_model=c.base_model,
            metric=c.metric,
            value=v,
            source=c.source,
            retrieved=c.date or default_date,
            kind=kind,
            note=c.note,
        )
        for c, v in zip(checked, scaled, strict=True)
    ]


def _check(where: str, row: object) -> _Checked:
    """One row's fields checked: names present, a known metric, a value 0-100, an ISO date."""
    if not isinstance(row, dict):
        raise ArenaError(f"{where}: expected an object with {', '.join(FIELDS)}")
    for field in ("base_model", "metric", "source"):
        if not str(row.get(field) or "").strip():
            raise ArenaError(f"{where}: field '{field}' is empty; expected a value")
    metric = metric_id(str(row["metric"]))
    if metric is None:
        raise ArenaError(
            f"{where}: field 'metric' = {row['metric']!r}; expected one of "
            "mmlu_pro, gpqa_diamond, humaneval, livecodebench"
        )
    written = row.get("value")
    try:
        value = math.nan if written is None else float(written)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise ArenaError(f"{where}: field 'value' = {written!r}; expected a number 0-100 or 0-1")
    return _Checked(
        where=where,
        base_model=str(row["base_model"]).strip(),
        metric=metric,
        written=written,
        value=value,
        source=str(row["source"]).strip(),
        date=iso_date(f"{where}: field 'date'", row.get("date")),
        note=str(row.get("note") or "").strip() or None,
    )
