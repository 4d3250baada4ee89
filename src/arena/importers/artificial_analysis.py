"""Artificial Analysis's free API: models with evaluations (0-1), matched by an explicit map."""

from __future__ import annotations

import difflib
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from arena.errors import ArenaError
from arena.records import QualityRecord

API_URL = "https://artificialanalysis.ai/api/v2/data/llms/models"
ATTRIBUTION = "Quality data: Artificial Analysis, https://artificialanalysis.ai"
# AA has no HumanEval: LiveCodeBench is the coding metric, stored as such.
EVAL_KEYS = {"mmlu_pro": "mmlu_pro", "gpqa": "gpqa_diamond", "livecodebench": "livecodebench"}


def fetch(api_key: str, url: str = API_URL, timeout: float = 30.0) -> dict[str, Any]:
    """GET the model list with the x-api-key header."""
    req = urllib.request.Request(url, headers={"x-api-key": api_key, "accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        hint = " (check --api-key)" if exc.code in (401, 403) else ""
        raise ArenaError(f"{url}: HTTP {exc.code}{hint}") from exc
    except (urllib.error.URLError, TimeoutError) as exc:
        raise ArenaError(f"{url}: cannot connect ({getattr(exc, 'reason', exc)})") from exc
    except json.JSONDecodeError as exc:
        raise ArenaError(f"{url}: response is not JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ArenaError(f"{url}: no 'data' list in the response")
    return data


def read_mapping(path: Path) -> dict[str, str]:
    """YAML or JSON mapping: base model HF id -> Artificial Analysis model id."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ArenaError(f"--map {path}: not a readable YAML/JSON mapping ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ArenaError(f"--map {path}: expected 'HF base model id: AA model id' pairs")
    return {str(k): v for k, v in data.items()}


def suggest(base_model: str, models: list[dict[str, Any]], n: int = 3) -> list[dict[str, Any]]:
    """AA models whose name or slug looks like the base model (for the user to confirm)."""
    key = base_model.split("/")[-1].lower().replace("-", " ")
    scored = []
    for m in models:
        label = f"{m.get('name', '')} {m.get('slug', '')}".lower().replace("-", " ")
        scored.append((difflib.SequenceMatcher(None, key, label).ratio(), m))
    scored.sort(key=lambda x: -x[0])
    return [m for score, m in scored[:n] if score > 0.4]


def to_records(
    data: dict[str, Any], mapping: dict[str, str], retrieved: str, url: str = API_URL
) -> tuple[list[QualityRecord], list[str]]:
    """Records for every mapped model; messages for mapped ids AA does not list."""
    by_id = {str(m.get("id")): m for m in data["data"] if isinstance(m, dict)}
    records: list[QualityRecord] = []
    problems: list[str] = []
    for base, aa_id in mapping.items():
        m = by_id.get(aa_id)
        if m is None:
            problems.append(f"{base}: AA id {aa_id!r} not in the response")
            continue
        evals = m.get("evaluations") or {}
        for key, metric in EVAL_KEYS.items():
            v = evals.get(key)
            if isinstance(v, int | float) and 0 <= v <= 1:
                note = f"Artificial Analysis {m.get('name', aa_id)} ({m.get('slug', '')})"
                if metric == "livecodebench":
                    note += "; LiveCodeBench as the coding metric (AA has no HumanEval)"
                records.append(
                    QualityRecord(
                        base_model=base,
                        metric=metric,
                        value=round(float(v) * 100, 2),
                        source=f"{url}#{aa_id}",
                        retrieved=retrieved,
                        kind="artificial-analysis",
                        note=note,
                    )
                )
    return records, problems
