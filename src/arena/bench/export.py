"""Write results in the formats users already compare with: vllm-bench JSON, llama-benchy md
and JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from arena.bench.power import telemetry_csv
from arena.importers.llama_benchy_json import JSON_METRICS  # the importer's names, inverted
from arena.records import BenchRecord

VLLM_KEYS_SKIP = {
    "bench",
    "server",
    "seed",
    "endpoint",
    "prompt_lengths",
    "token_source",
    "mean_queue_ms",
    "p99_queue_ms",
    "peak_in_flight",
    "ignore_eos",
    "job_caps",
    "profile",
    "telemetry",
    "errors",
}

# vllm bench serve's --backend / endpoint_type for each of our --endpoint values
VLLM_ENDPOINT_TYPES = {"chat": "openai-chat", "completions": "openai"}


def vllm_json(rec: BenchRecord, model: str) -> dict[str, object]:
    """vllm bench serve --save-result fields (metric names and units as vLLM writes them)."""
    # endpoint_type/backend follow the endpoint measured (openai-chat or openai); `errors` is
    # vllm's list of failure reasons (one entry per failed request).
    d = {k: v for k, v in rec.distribution.items() if k not in VLLM_KEYS_SKIP}
    stamp = dt.datetime.fromisoformat(rec.source.date) if rec.source.date else dt.datetime.now()
    kind = VLLM_ENDPOINT_TYPES.get(str(rec.distribution.get("endpoint", "chat")), "openai-chat")
    counts = rec.distribution.get("errors")
    errors = (
        [r for r, n in counts.items() for _ in range(int(n))] if isinstance(counts, dict) else []
    )
    return {
        "date": stamp.strftime("%Y%m%d-%H%M%S"),
        "endpoint_type": kind,
        "backend": kind,
        "label": f"arena {rec.source.tool_version} bench {rec.bench_id}",
        "model_id": model,
        "tokenizer_id": None,
        **d,
        "errors": errors,
    }


def _latency_ms(rec: BenchRecord) -> float | None:
    """The API latency the closed loop measured (the same on every row), if any."""
    return next((r["latency_ms"] for r in rec.rows if r.get("latency_ms") is not None), None)


def _pm(mean: float | None, std: float | None) -> str:
    if mean is None:
        return ""
    return f"{mean:.2f} ± {std or 0:.2f}"


def llama_benchy_md(rec: BenchRecord, model: str) -> str:
    """llama-benchy's markdown table: one pp row and one tg row per (prompt, depth, c)."""
    # As llama-benchy's results.py: with a largest concurrency of 1 the columns are
    # t/s, peak t/s, ttfr, est_ppt, e2e_ttft and test names carry no "(cN)"; above 1 they are
    # t/s (total), t/s (req), peak t/s, peak t/s (req), ttfr, est_ppt, e2e_ttft and every test
    # name ends in " (cN)".
    max_c = max((int(r.get("concurrency") or 1) for r in rec.rows), default=1)
    multi = max_c > 1
    if multi:
        head = ["model", "test", "t/s (total)", "t/s (req)", "peak t/s", "peak t/s (req)"]
    else:
        head = ["model", "test", "t/s", "peak t/s"]
    head += ["ttfr (ms)", "est_ppt (ms)", "e2e_ttft (ms)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]

    def row(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    for r in rec.rows:
        depth = f" @ d{r['depth']}" if r.get("depth") else ""
        c = f" (c{r['concurrency']})" if multi else ""
        pp_total = _pm(r.get("pp_tps_total"), r.get("pp_tps_total_std"))
        tg_total = _pm(r.get("tg_tps_total"), r.get("tg_tps_total_std"))
        peak = _pm(r.get("peak_tps"), r.get("peak_tps_std"))
        latency = [
            _pm(r.get("ttfr_ms"), r.get("ttfr_ms_std")),
            _pm(r.get("est_ppt_ms"), r.get("est_ppt_ms_std")),
            _pm(r.get("e2e_ttft_ms"), r.get("e2e_ttft_ms_std")),
        ]
        name_pp = f"pp{r['prompt_tokens']}{depth}{c}"
        name_tg = f"tg{r['output_tokens']}{depth}{c}"
        if multi:
            pp_req = _pm(r.get("pp_tps_req"), r.get("pp_tps_req_std"))
            tg_req = _pm(r.get("tg_tps_req"), r.get("tg_tps_req_std"))
            peak_req = _pm(r.get("peak_tps_req"), r.get("peak_tps_req_std"))
            lines.append(row([model, name_pp, pp_total, pp_req, "", "", *latency]))
            lines.append(row([model, name_tg, tg_total, tg_req, peak, peak_req, "", "", ""]))
        else:
            lines.append(row([model, name_pp, pp_total, "", *latency]))
            lines.append(row([model, name_tg, tg_total, peak, "", "", ""]))
    date = (rec.source.date or "").replace("T", " ")[:19]
    lat = _latency_ms(rec)
    mode = "api" if lat is None else f"api ({lat:.2f} ms)"
    lines += [
        "",
        f"llama-benchy ({rec.source.tool_version}-arena)",
        f"date: {date} | latency mode: {mode}",
    ]
    return "\n".join(lines) + "\n"


def llama_benchy_json(rec: BenchRecord, model: str) -> dict[str, object]:
    """llama-benchy 0.4 --format json report; per-run `values` are not kept, so left empty."""
    lat = _latency_ms(rec)
    runs = []
    for r in rec.rows:
        run: dict[str, object] = {
            "concurrency": r["concurrency"],
            "context_size": r.get("depth") or 0,
            "prompt_size": r["prompt_tokens"],
            "response_size": r["output_tokens"],
            "is_context_prefill_phase": False,
            "prompt_id": None,
        }
        for name, key in JSON_METRICS.items():
            mean = r.get(key)
            run[name] = (
                None if mean is None else {"mean": mean, "std": r.get(f"{key}_std"), "values": []}
            )
        run["throughput_over_time"] = None
        run["requests_throughput_over_time"] = None
        runs.append(run)
    return {
        "version": f"{rec.source.tool_version}-arena",
        "timestamp": (rec.source.date or "").replace("T", " ")[:19] or None,
        "latency_mode": "api",
        "latency_ms": lat,
        "model": model,
        "prefix_caching_enabled": None,
        "max_concurrency": max((r["concurrency"] for r in rec.rows), default=None),
        "prompt_source": None,
        "dataset_revision": None,
        "benchmarks": runs,
    }


def _write(target: Path, text: str) -> Path:
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def write_exports(out_dir: Path, rec: BenchRecord, model: str) -> list[Path]:
    """Files for one bench, written atomically: <id>.json in vllm bench serve's shape (open
    loop), or <id>.md and <id>.json in llama-benchy's (closed loop)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if rec.rows:
        return [
            _write(out_dir / f"{rec.bench_id}.md", llama_benchy_md(rec, model)),
            _write(
                out_dir / f"{rec.bench_id}.json",
                json.dumps(llama_benchy_json(rec, model), indent=1) + "\n",
            ),
        ]
    text = json.dumps(vllm_json(rec, model), indent=1) + "\n"
    return [_write(out_dir / f"{rec.bench_id}.json", text)]


def write_telemetry(out_dir: Path, rec: BenchRecord, number: int) -> Path | None:
    """NN-telemetry.csv in suite v2's columns from the bench's power samples; None without any."""
    samples = rec.distribution.get("telemetry")
    if not isinstance(samples, list) or not samples:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    return _write(out_dir / f"{number:02d}-telemetry.csv", telemetry_csv(samples))
