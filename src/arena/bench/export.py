"""Write results in the formats users already compare with: vllm-bench JSON, llama-benchy md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

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
}


def vllm_json(rec: BenchRecord, model: str) -> dict[str, Any]:
    """vllm bench serve --save-result fields (metric names and units as vLLM writes them)."""
    d = {k: v for k, v in rec.distribution.items() if k not in VLLM_KEYS_SKIP}
    stamp = dt.datetime.fromisoformat(rec.source.date) if rec.source.date else dt.datetime.now()
    return {
        "date": stamp.strftime("%Y%m%d-%H%M%S"),
        "endpoint_type": "openai-chat",
        "backend": "openai-chat",
        "label": f"arena {rec.source.tool_version} bench {rec.bench_id}",
        "model_id": model,
        "tokenizer_id": None,
        **d,
    }


def _pm(mean: float | None, std: float | None) -> str:
    if mean is None:
        return ""
    return f"{mean:.2f} ± {std or 0:.2f}"


def llama_benchy_md(rec: BenchRecord, model: str) -> str:
    """llama-benchy 0.3's markdown table: one pp row and one tg row per (prompt, depth, c)."""
    head = [
        "model",
        "test",
        "t/s (total)",
        "t/s (req)",
        "peak t/s",
        "peak t/s (req)",
        "ttfr (ms)",
        "est_ppt (ms)",
        "e2e_ttft (ms)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in rec.rows:
        depth = f" @ d{r['depth']}" if r.get("depth") else ""
        c = f" (c{r['concurrency']})"
        lines.append(
            f"| {model} | pp{r['prompt_tokens']}{depth}{c} | "
            f"{_pm(r['pp_tps_total'], r['pp_tps_total_std'])} | "
            f"{_pm(r['pp_tps_req'], r['pp_tps_req_std'])} |  |  | "
            f"{_pm(r['ttfr_ms'], r['ttfr_ms_std'])} |  | "
            f"{_pm(r['e2e_ttft_ms'], r['e2e_ttft_ms_std'])} |"
        )
        lines.append(
            f"| {model} | tg{r['output_tokens']}{depth}{c} | "
            f"{_pm(r['tg_tps_total'], r['tg_tps_total_std'])} | "
            f"{_pm(r['tg_tps_req'], r['tg_tps_req_std'])} | "
            f"{_pm(r['peak_tps'], r['peak_tps_std'])} | "
            f"{_pm(r['peak_tps_req'], r['peak_tps_req_std'])} |  |  |  |"
        )
    date = (rec.source.date or "").replace("T", " ")[:19]
    lines += [
        "",
        f"llama-benchy ({rec.source.tool_version}-arena)",
        f"date: {date} | latency mode: none (arena; depth = prior chat turns)",
    ]
    return "\n".join(lines) + "\n"


def write_exports(out_dir: Path, rec: BenchRecord, model: str) -> list[Path]:
    """Files for one bench: <id>.json (open loop) or <id>.md (closed loop); atomic writes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if rec.rows:
        target, text = out_dir / f"{rec.bench_id}.md", llama_benchy_md(rec, model)
    else:
        target = out_dir / f"{rec.bench_id}.json"
        text = json.dumps(vllm_json(rec, model), indent=1) + "\n"
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return [target]
