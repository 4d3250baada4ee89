"""/openapi.json describes what every /api route answers: a 200 schema with the contract's fields
and the {"error"} body of its 404 and 422; and the API shows cost only with a [cost] config."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from arena.web import create_app

# Per path, fields the 200 body must name, and where: "" is the body (or each item of a list
# body), "rows"/"benches" the items or values of that field.
CONTRACT: dict[str, dict[str, tuple[str, ...]]] = {
    "/api/leaderboard": {
        "": ("preset", "bucket", "weights", "rows", "suite", "benches", "cost"),
        "rows": (
            "rank",
            "model",
            "name",
            "score",
            "tier",
            "Q",
            "G",
            "E",
            "joules_per_token",
            "cost_per_mtok",
            "sanity",
        ),
    },
    "/api/models/{build_id}": {
        "": ("id", "name", "precision", "hardware", "quality", "runs", "benches"),
        "benches": ("tps_per_user", "source", "energy", "roofline", "cost"),
    },
    "/api/presets": {"": ("id", "title", "weights", "benches", "ttft_bench", "measure")},
    "/api/benches": {"": ("id", "title", "mode", "prompt_tokens", "output_tokens")},
    "/api/hardware": {"": ("id", "name", "memory_gb", "memory_bandwidth_gbs", "source")},
    "/api/buckets": {"": ("id", "title", "min_b", "max_b")},
    "/api/summary": {"": ("builds", "hardware", "latest_run", "suite", "suites")},
}


def get(app: FastAPI, url: str) -> httpx.Response:
    """One GET through the ASGI app, no network."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(url)

    # its own thread: a browser test earlier in the session may leave a loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


def resolve(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema a $ref names, an array's item schema, or the non-null branch of an anyOf."""
    while True:
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif schema.get("type") == "array":
            schema = schema["items"]
        elif "anyOf" in schema:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        elif schema.get("type") == "object" and "additionalProperties" in schema:
            schema = schema["additionalProperties"]  # a dict's values
        else:
            return schema


@pytest.fixture
def spec(seeded_db: str) -> dict[str, Any]:
    res = get(create_app(seeded_db), "/openapi.json")
    assert res.status_code == 200
    body: dict[str, Any] = res.json()
    return body


def test_every_api_route_has_a_200_schema_with_the_contract_fields(spec: dict[str, Any]) -> None:
    api = {p: ops for p, ops in spec["paths"].items() if p.startswith("/api/")}
    assert set(CONTRACT) <= set(api)
    for path, ops in api.items():
        for method, op in ops.items():
            content = op["responses"]["200"].get("content", {})
            assert "schema" in content.get("application/json", {}), f"{method} {path}: no schema"
            body = resolve(spec, content["application/json"]["schema"])
            assert body.get("properties"), f"{method} {path}: the 200 schema names no fields"
            for where, fields in CONTRACT.get(path, {}).items():
                schema = body if not where else resolve(spec, body["properties"][where])
                missing = set(fields) - set(schema["properties"])
                assert not missing, f"{path} {where or 'body'}: no {sorted(missing)}"


def test_errors_are_documented_as_the_error_body(spec: dict[str, Any]) -> None:
    for path in ("/api/leaderboard", "/api/models/{build_id}", "/api/benches"):
        responses = spec["paths"][path]["get"]["responses"]
        for status in ("404", "422"):
            body = resolve(spec, responses[status]["content"]["application/json"]["schema"])
            assert "error" in body["properties"], f"{path} {status}"
            assert "detail" not in body.get("required", [])
    assert "HTTPValidationError" not in spec["components"]["schemas"]


BUILD = "qwen-3.5-0.8b-bf16"


def test_the_api_shows_cost_only_with_a_cost_config(
    seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARENA_CONFIG", str(tmp_path / "absent.toml"))
    plain = create_app(seeded_db)
    assert get(plain, "/api/leaderboard").json()["cost"] is None
    benches = get(plain, f"/api/models/{BUILD}").json()["benches"]
    assert all(b is None or b["cost"] is None for b in benches.values())

    config = tmp_path / "config.toml"
    config.write_text('[cost]\nelectricity_per_kwh = 0.2\ncurrency = "EUR"\n', "utf-8")
    monkeypatch.setenv("ARENA_CONFIG", str(config))
    priced = create_app(seeded_db)
    board = get(priced, "/api/leaderboard").json()
    assert board["cost"]["currency"] == "EUR"
    assert any(r["cost_per_mtok"] is not None for r in board["rows"])
    chat = get(priced, f"/api/models/{BUILD}").json()["benches"]["chat"]
    j = chat["energy"]["joules_per_output_token"]
    assert chat["cost"]["per_mtok"] == pytest.approx(j / 3.6 * 0.2, abs=1e-4)
    assert chat["cost"]["config"] == config.name
