"""llama-benchy 0.4.x JSON reports (one object per run) into per-point rows."""

from __future__ import annotations

from pathlib import Path

from arena.errors import ArenaError
from arena.importers.common import is_number, load_json_object
from arena.importers.llama_benchy_record import ROW_KEYS, Pair, ParsedClosed, Row

JSON_METRICS = {
    "pp_throughput": "pp_tps_total",
    "pp_req_throughput": "pp_tps_req",
    "tg_throughput": "tg_tps_total",
    "tg_req_throughput": "tg_tps_req",
    "peak_throughput": "peak_tps",
    "peak_req_throughput": "peak_tps_req",
    "ttfr": "ttfr_ms",
    "est_ppt": "est_ppt_ms",
    "e2e_ttft": "e2e_ttft_ms",
}


def _metric(where: str, value: object) -> Pair:
    """A {mean, std, values} object (or null) from the JSON report."""
    if value is None:
        return None, None
    if not isinstance(value, dict) or not is_number(value.get("mean")):
        raise ArenaError(f"{where}: expected {{mean, std}} with numbers, got {value!r}")
    mean, std = value["mean"], value.get("std")
    return float(mean), (float(std) if isinstance(std, int | float) else None)


def parse_json(path: Path) -> ParsedClosed:
    """A 0.4.x `--format json` report (schemas/benchmark_report_schema.json upstream)."""
    data = load_json_object(path)
    runs = data.get("benchmarks")
    if not isinstance(runs, list):
        raise ArenaError(f"{path}: field 'benchmarks': expected a list, got {runs!r}")
    rows: list[Row] = []
    skipped: list[str] = []
    for i, run in enumerate(runs):
        where = f"{path}: benchmarks[{i}]"
        if not isinstance(run, dict):
            raise ArenaError(f"{where}: expected an object, got {run!r}")
        for key in ("concurrency", "context_size", "prompt_size", "response_size"):
            if isinstance(run.get(key), bool) or not isinstance(run.get(key), int):
                raise ArenaError(f"{where}.{key}: expected an integer, got {run.get(key)!r}")
        if run.get("is_context_prefill_phase"):
            skipped.append(f"ctx_pp @ d{run['context_size']} (c{run['concurrency']})")
            continue
        row: Row = dict.fromkeys(ROW_KEYS)
        row.update(
            prompt_tokens=run["prompt_size"],
            depth=run["context_size"],
            concurrency=run["concurrency"],
            output_tokens=run["response_size"],
            file=path.name,
        )
        for name, key in JSON_METRICS.items():
            row[key], row[f"{key}_std"] = _metric(f"{where}.{name}", run.get(name))
        for phase in ("pp", "tg"):
            if run["concurrency"] == 1 and row[f"{phase}_tps_req"] is None:
                row[f"{phase}_tps_req"] = row[f"{phase}_tps_total"]
                row[f"{phase}_tps_req_std"] = row[f"{phase}_tps_total_std"]
        rows.append(row)
    if not rows:
        raise ArenaError(f"{path}: 'benchmarks' has no pp/tg runs")
    stamp = data.get("timestamp")
    date = stamp.strip().replace(" ", "T", 1) if isinstance(stamp, str) and stamp else None
    version = data.get("version")
    model = data.get("model")
    return ParsedClosed(
        file=path.name,
        rows=rows,
        tool_version=version if isinstance(version, str) else None,
        date=date,
        model=model if isinstance(model, str) else None,
        skipped=skipped,
    )
