"""Artificial Analysis's free API: models with evaluations (0-1), matched by an explicit map."""

from __future__ import annotations

import difflib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from arena.errors import ArenaError
from arena.records import QualityRecord

API_URL = "https://artificialanalysis.ai/api/v2/data/llms/models"
ATTRIBUTION = "Quality data: Artificial Analysis, https://artificialanalysis.ai"
# AA has no HumanEval: LiveCodeBench is the coding metric, stored as such.
EVAL_KEYS = {"mmlu_pro": "mmlu_pro", "gpqa": "gpqa_diamond", "livecodebench": "livecodebench"}


@dataclass(frozen=True)
class AAModel:
    """One model of the response: its id, name and slug as listed, and its 0-1 evaluations."""

    id: str
    name: str | None = None
    slug: str | None = None
    evaluations: dict[str, float] = field(default_factory=dict)


def fetch(api_key: str, url: str = API_URL, timeout: float = 30.0) -> dict[str, object]:
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


def models(data: Mapping[str, object]) -> list[AAModel]:
    """The objects of the response's 'data' list (a cached response included) as AAModel."""
    listed = data.get("data")
    out: list[AAModel] = []
    for m in listed if isinstance(listed, list) else []:
        if not isinstance(m, dict):
            continue
        evals = m.get("evaluations")
        name, slug = m.get("name"), m.get("slug")
        out.append(
            AAModel(
                id=str(m.get("id")),
                name=name if isinstance(name, str) else None,
                slug=slug if isinstance(slug, str) else None,
                evaluations={
                    str(k): float(v)
                    for k, v in (evals.items() if isinstance(evals, dict) else ())
                    if isinstance(v, int | float) and not isinstance(v, bool)
                },
            )
        )
    return out


@dataclass(frozen=True)
class Response:
    """The models of one API response, and the date it was fetched when read from the cache."""

    models: list[AAModel]
    fetched: str | None = None


def fetch_to_cache(api_key: str, url: str, cache: Path, today: str) -> Response:
    """GET the model list and keep it (with its date and URL) for later runs without the API."""
    data = fetch(api_key, url)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".part")
    tmp.write_text(json.dumps({**data, "_fetched": today, "_url": url}), "utf-8")
    os.replace(tmp, cache)
    return Response(models(data))


def read_cache(cache: Path) -> Response:
    """The response the last fetch kept."""
    if not cache.is_file():
        raise ArenaError(f"--cached: no cached response at {cache}; run without --cached")
    try:
        data = json.loads(cache.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise ArenaError(f"{cache}: not valid JSON ({exc.msg}); run without --cached") from exc
    if not isinstance(data, dict):
        raise ArenaError(f"{cache}: not a cached response; run without --cached")
    fetched = data.get("_fetched")
    return Response(models(data), str(fetched) if fetched else None)


def read_mapping(path: Path) -> dict[str, str]:
    """YAML or JSON mapping: base model HF id -> Artificial Analysis model id."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ArenaError(f"--map {path}: not a readable YAML/JSON mapping ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ArenaError(f"--map {path}: expected 'HF base model id: AA model id' pairs")
    return {str(k): v for k, v in data.items()}


def suggest(base_model: str, listed: list[AAModel], n: int = 3) -> list[AAModel]:
    """AA models whose name or slug looks like the base model (for the user to confirm)."""
    key = base_model.split("/")[-1].lower().replace("-", " ")
    scored = []
    for m in listed:
        label = f"{m.name or ''} {m.slug or ''}".lower().replace("-", " ")
        scored.append((difflib.SequenceMatcher(None, key, label).ratio(), m))
    scored.sort(key=lambda x: -x[0])
    return [m for score, m in scored[:n] if score > 0.4]


def to_records(
    listed: list[AAModel], mapping: dict[str, str], retrieved: str, url: str = API_URL
) -> tuple[list[QualityRecord], list[str]]:
    """Records for every mapped model; messages for mapped ids AA does not list."""
    by_id = {m.id: m for m in listed}
    records: list[QualityRecord] = []
    problems: list[str] = []
    for base, aa_id in mapping.items():
        m = by_id.get(aa_id)
        if m is None:
            problems.append(f"{base}: AA id {aa_id!r} not in the response")
            continue
        for key, metric in EVAL_KEYS.items():
            v = m.evaluations.get(key)
            if v is not None and 0 <= v <= 1:
                note = f"Artificial Analysis {m.name or aa_id} ({m.slug or ''})"
                if metric == "livecodebench":
                    note += "; LiveCodeBench as the coding metric (AA has no HumanEval)"
                records.append(
                    QualityRecord(
                        base_model=base,
                        metric=metric,
                        value=round(v * 100, 2),
                        source=f"{url}#{aa_id}",
                        retrieved=retrieved,
                        kind="artificial-analysis",
                        note=note,
                    )
                )
    return records, problems
