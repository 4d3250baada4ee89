"""The read-only JSON API in-process (httpx ASGI transport) against a real SQLite store."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from arena.catalog import load_catalog
from arena.catalog.types import Weights
from arena.dataset import open_store
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance
from arena.scoring import make_weights
from arena.service import (
    board,
    build_detail,
    leaderboard,
    leaderboard_json,
    leaderboard_text,
    prepare,
)
from arena.store import Store
from arena.web import CSP, create_app
from arena.web.assets import vendor_info
from tests.v2_data import SHARED, SUSPECT_ANSWER, V2Build, add_v2_runs, bundled, v1_only

XSS = "<img src=x onerror=alert(1)>"


def call(app: FastAPI, url: str, method: str = "GET", **kw: object) -> httpx.Response:
    """One request through the ASGI app, no network (its own event loop, in a thread)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, url, **kw)  # type: ignore[arg-type]

    # In a worker thread: Playwright's sync API keeps an event loop running in the main
    # thread when the e2e tests ran first in the same session.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store seeded with the bundled dataset, shared by the read-only tests."""
    path = str(tmp_path_factory.mktemp("api") / "a.db")
    open_store(path)
    return path


@pytest.fixture(scope="module")
def app(db: str) -> FastAPI:
    """The app over that store."""
    return create_app(db)


def expected_board(
    db: str,
    preset: str = "aggregate",
    bucket: str = "all",
    w: Weights | None = None,
    suite: str | None = None,
) -> Any:
    store = Store.open(db)
    lb = board(store, load_catalog(), preset, bucket, w, suite)
    return json.loads(json.dumps(leaderboard_json(lb)))


@pytest.mark.parametrize(
    ("preset", "bucket"), [("aggregate", "all"), ("batch", "small"), ("reasoning", "medium")]
)
def test_leaderboard_is_the_cli_json(app: FastAPI, db: str, preset: str, bucket: str) -> None:
    res = call(app, f"/api/leaderboard?preset={preset}&bucket={bucket}")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/json")
    assert res.json() == expected_board(db, preset, bucket)


def test_reused_row_text_encodes_exactly_like_json_dumps(db: str) -> None:
    store = Store.open(db)
    views, cat, datasets = store.builds("v1"), load_catalog(), store.datasets()
    prepared = prepare(views, cat, suite="v1")
    heads: dict[tuple[str, str, str], str] = {}
    seen = set()
    for w in (None, make_weights(20, 70, 10), make_weights(0, 0, 100)):
        for preset in cat.presets:
            for bucket in cat.buckets:
                lb = leaderboard(views, cat, preset, bucket, w, datasets, prepared=prepared)
                text = leaderboard_text(lb, heads)
                assert text == json.dumps(leaderboard_json(lb), ensure_ascii=False)
                seen.add(text)
    assert len(heads) == len(cat.presets) * sum(
        len(leaderboard(views, cat, "aggregate", b).ranking.rows) for b in cat.buckets
    )
    assert len(seen) > len(cat.presets) * len(cat.buckets)  # the weights changed the output


def test_leaderboard_defaults_and_custom_weights(app: FastAPI, db: str) -> None:
    assert call(app, "/api/leaderboard").json() == expected_board(db)
    res = call(app, "/api/leaderboard?preset=chat&wq=20&wg=70&we=10")
    assert res.status_code == 200
    assert res.json() == expected_board(db, "chat", "all", make_weights(20, 70, 10))
    assert res.json()["weights"] == {"quality": 0.2, "throughput": 0.7, "efficiency": 0.1}
    fractions = call(app, "/api/leaderboard?preset=chat&wq=0.2&wg=0.7&we=0.1").json()
    assert fractions["rows"] == res.json()["rows"]


def test_leaderboard_within_a_memory_budget(app: FastAPI, db: str) -> None:
    store = Store.open(db)
    want = json.loads(json.dumps(leaderboard_json(board(store, load_catalog(), max_vram_gb=24))))
    got = call(app, "/api/leaderboard?max_vram_gb=24")
    assert got.status_code == 200
    assert got.json() == want
    full = call(app, "/api/leaderboard").json()
    over = [r for r in full["rows"] if r["vram_gb"] is not None and r["vram_gb"] > 24]
    assert got.json()["hidden_over_budget"] == len(over) > 0
    assert len(got.json()["rows"]) == len(full["rows"]) - len(over)
    assert full["hidden_over_budget"] == 0
    assert full["max_vram_gb"] is None
    bad = call(app, "/api/leaderboard?max_vram_gb=0")
    assert bad.status_code == 422
    assert "max_vram_gb" in bad.json()["error"]
    profiles = call(app, "/api/hardware").json()
    assert {p["id"]: p["memory_gb"] for p in profiles}["rtx-4090"] == 24


@pytest.mark.parametrize(
    ("url", "kind", "valid"),
    [
        ("/api/leaderboard?preset=nope", "preset", "aggregate"),
        ("/api/leaderboard?bucket=tiny", "bucket", "small"),
        ("/api/models/no-such-build", "model", "qwen-3.5-0.8b-bf16"),
    ],
)
def test_unknown_names_are_404_naming_valid_values(
    app: FastAPI, url: str, kind: str, valid: str
) -> None:
    res = call(app, url)
    assert res.status_code == 404
    body = res.json()
    assert kind in body["error"]
    assert valid in body["valid"]


@pytest.mark.parametrize(
    "query",
    [
        "wq=50",
        "wq=50&wg=50",
        "wq=50&wg=30&we=30",
        "wq=-10&wg=100&we=10",
        "wq=a&wg=b&we=c",
        "wq=nan&wg=50&we=50",
        "wq=inf&wg=0&we=0",
    ],
)
def test_bad_weights_are_422(app: FastAPI, query: str) -> None:
    assert call(app, f"/api/leaderboard?{query}").status_code == 422


@pytest.mark.parametrize(("query", "suite"), [("", "v2"), ("?suite=v1", "v1")])
def test_model_is_build_detail(app: FastAPI, db: str, query: str, suite: str) -> None:
    res = call(app, f"/api/models/qwen-3.5-0.8b-bf16{query}")  # default: its newest suite
    assert res.status_code == 200
    view = Store.open(db).build("qwen-3.5-0.8b-bf16", suite=suite)
    assert view is not None
    assert res.json() == json.loads(json.dumps(build_detail(view, load_catalog())))
    assert res.json()["suite"] == suite
    assert list(res.json()["benches"]) == list(load_catalog().suites[suite].bench_ids)


def test_catalog_endpoints(app: FastAPI) -> None:
    cat = load_catalog()
    presets = call(app, "/api/presets").json()
    assert [p["id"] for p in presets] == [
        "aggregate", "chat", "agent", "batch", "reasoning", "team-server",
    ]  # fmt: skip
    assert presets[3]["weights"] == {"quality": 0.2, "throughput": 0.7, "efficiency": 0.1}
    assert presets[5]["weights"] == {"quality": 0.3, "throughput": 0.6, "efficiency": 0.1}
    assert presets[5]["measure"] == "capacity_rps_5s"
    assert presets[0]["benches"] == list(cat.presets["aggregate"].benches)
    benches = call(app, "/api/benches").json()
    assert [b["id"] for b in benches] == list(cat.benches)
    assert benches[0]["id"] == "chat"
    buckets = call(app, "/api/buckets").json()
    assert [b["id"] for b in buckets] == ["all", "small", "medium", "large", "unknown"]
    assert [b["params_unknown"] for b in buckets] == [False, False, False, False, True]
    summary = call(app, "/api/summary").json()
    assert summary["suite"] == "v2"
    assert summary["builds"] == 32  # 23 v1 and 30 v2 builds, 21 of them in both
    assert [(s["id"], s["builds"]) for s in summary["suites"]] == [("v1", 23), ("v2", 30)]
    assert summary["hardware"][0]["short"] == "DGX Spark"


def test_openapi_and_same_origin_docs(app: FastAPI) -> None:
    spec = call(app, "/openapi.json").json()
    for path in (
        "/api/leaderboard",
        "/api/models/{build_id}",
        "/api/presets",
        "/api/benches",
        "/api/buckets",
    ):
        assert path in spec["paths"]
    docs = call(app, "/docs")
    assert docs.status_code == 200
    assert not re.search(r"(src|href)=\"(https?:)?//", docs.text)


def test_security_headers_everywhere(app: FastAPI) -> None:
    for url in ("/", "/api/leaderboard", "/api/models/nope", "/static/arena.css", "/docs"):
        res = call(app, url)
        assert res.headers["content-security-policy"] == CSP
        assert res.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self';" in CSP
    assert "unsafe-eval" not in CSP


def test_pages_have_no_inline_script_or_off_host_assets(app: FastAPI) -> None:
    for url in ("/", "/models/qwen-3.5-0.8b-bf16", "/docs"):
        html = call(app, url).text
        scripts = re.findall(r"<script([^>]*)>", html)
        assert scripts
        assert all('src="/static/' in s for s in scripts)
        assert not re.search(r"<[^>]*\son\w+=", html)
        assert "//cdn" not in html
        assert "https://" not in html


def test_no_writes(app: FastAPI) -> None:
    for url in ("/api/leaderboard", "/api/models/qwen-3.5-0.8b-bf16", "/api/presets"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert call(app, url, method).status_code == 405


def test_unknown_model_page_is_404(app: FastAPI) -> None:
    assert call(app, "/models/no-such-build").status_code == 404
    assert call(app, "/models/qwen-3.5-0.8b-bf16").status_code == 200


def test_plotly_served_from_the_vendored_partial_bundle(app: FastAPI) -> None:
    js = call(app, "/static/plotly.min.js")
    assert js.status_code == 200
    assert js.headers["content-encoding"] == "gzip"
    assert f"plotly.js (basic - minified) v{vendor_info()['version']}" in js.text[:200]
    assert hashlib.sha256(js.content).hexdigest() == vendor_info()["sha256"]
    css = call(app, "/static/plotly-rules.css")
    assert ".js-plotly-plot .plotly .main-svg" in css.text
    prep = call(app, "/static/plotly-prep.js")
    assert re.search(r'\["[0-9a-f]{64}"', prep.text)


def test_new_build_shows_up_and_name_is_data(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    store = Store.open(db)
    app = create_app(db)
    before = call(app, "/api/leaderboard?suite=v1").json()
    store.put_build(
        BuildInfo(
            id="evil",
            name=XSS,
            base_model="evil/base",
            precision="bf16",
            hardware_id="dgx-spark",
            params_total_b=1.0,
            vram_gb=2.0,
        ),
        HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified"),
        [BenchRecord("chat", 50.0, 100.0, None, None, 120.0, 1.0, Provenance("test"))],
    )  # results written without a run land in suite v1
    after = call(app, "/api/leaderboard?preset=chat&suite=v1").json()
    assert len(after["rows"]) == len(before["rows"]) + 1
    assert XSS in [r["name"] for r in after["rows"]]
    assert call(app, "/api/models/evil").json()["name"] == XSS


@pytest.fixture(scope="module")
def written_v2(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[V2Build]]:
    """The bundled v1 and v2 data plus the v2 runs of tests/v2_data.py, and those runs."""
    path = str(tmp_path_factory.mktemp("api-v2") / "a.db")
    return path, add_v2_runs(open_store(path))


@pytest.fixture(scope="module")
def v2_db(written_v2: tuple[str, list[V2Build]]) -> str:
    """That store's path."""
    return written_v2[0]


@pytest.fixture(scope="module")
def v2_builds(written_v2: tuple[str, list[V2Build]]) -> set[str]:
    """The ids of every build with a v2 run in that store."""
    return {b.id for b in bundled("v2").builds} | {b.build.id for b in written_v2[1]}


@pytest.fixture(scope="module")
def v2_app(v2_db: str) -> FastAPI:
    """The app over that store."""
    return create_app(v2_db)


def test_leaderboard_per_suite(v2_app: FastAPI, v2_db: str, v2_builds: set[str]) -> None:
    newest = call(v2_app, "/api/leaderboard").json()
    assert newest == expected_board(v2_db)
    assert newest["suite"] == "v2"
    assert [(s["id"], s["builds"]) for s in newest["suites"]] == [
        ("v1", 23),
        ("v2", len(v2_builds)),
    ]
    assert {r["model"] for r in newest["rows"]} == v2_builds
    old = call(v2_app, "/api/leaderboard?suite=v1&preset=chat").json()
    assert old == expected_board(v2_db, "chat", suite="v1")
    assert len(old["rows"]) == 23
    suspect = next(r for r in newest["rows"] if r["model"] == "v2-suspect")
    assert suspect["sanity"] == {"verdict": "suspect", "answer": SUSPECT_ANSWER}
    bad = call(v2_app, "/api/leaderboard?suite=v9")
    assert bad.status_code == 404
    assert bad.json() == {"error": "unknown suite 'v9'", "valid": ["v1", "v2"]}


def test_model_per_suite_and_run(v2_app: FastAPI, v2_db: str) -> None:
    newest = call(v2_app, f"/api/models/{SHARED}").json()
    assert (newest["suite"], newest["run_id"]) == ("v2", "run-v2-shared")
    assert [r["suite"] for r in newest["runs"]] == ["v2", "v1"]
    v1_run = newest["runs"][1]["id"]
    old = call(v2_app, f"/api/models/{SHARED}?suite=v1").json()
    one = call(v2_app, f"/api/models/{SHARED}?run={v1_run}").json()
    assert old["run_id"] == one["run_id"] == v1_run
    assert old["benches"] == one["benches"]
    view = Store.open(v2_db).build(SHARED, suite="v1")
    assert view is not None
    assert old == json.loads(json.dumps(build_detail(view, load_catalog())))
    sweep = call(v2_app, "/api/models/v2-fast").json()["benches"]["rate-sweep"]
    assert [c["offered_rps"] for c in sweep["capacity"]] == [None, 0.5, 0.7]
    assert len(sweep["steps"]) == 4
    for url, message in (
        (f"/api/models/{SHARED}?run=nope", f"run 'nope' is not a run of build '{SHARED}'"),
        ("/api/models/v2-fast?suite=v1", "build 'v2-fast' has no run in suite 'v1'"),
        ("/api/models/v2-fast?suite=v9", "unknown suite 'v9'"),
    ):
        res = call(v2_app, url)
        assert res.status_code == 404
        assert res.json()["error"].startswith(message)


def test_summary_lists_the_suites_with_data(v2_app: FastAPI, v2_builds: set[str]) -> None:
    cat = load_catalog()
    summary = call(v2_app, "/api/summary").json()
    assert summary["suite"] == "v2"
    assert [s["id"] for s in summary["suites"]] == ["v1", "v2"]
    v1, v2 = summary["suites"]
    assert v1["benches"] == list(cat.suites["v1"].bench_ids)
    assert v2["benches"] == list(cat.suites["v2"].bench_ids)
    newest = max(r.run.date for r in bundled("v2").runs)  # later than the runs written here
    assert v2["latest_run"] == newest == "2026-08-17T05:44:25+02:00"
    assert v1["latest_run"] < v2["latest_run"]
    assert summary["builds"] == len({b.id for b in bundled("v1").builds} | v2_builds)
    v1_benches = call(v2_app, "/api/benches?suite=v1").json()
    assert [b["id"] for b in v1_benches] == list(cat.suites["v1"].bench_ids)
    v2_benches = [b["id"] for b in call(v2_app, "/api/benches?suite=v2").json()]
    assert v2_benches == [b for b in cat.suites["v2"].bench_ids if b in cat.benches]
    assert call(v2_app, "/api/benches?suite=v9").status_code == 404
    presets = call(v2_app, "/api/presets").json()
    assert {p["measure"] for p in presets} == {p.measure for p in cat.presets.values()}


def test_a_new_suite_becomes_the_default_view(tmp_path: Path) -> None:
    store = v1_only(str(tmp_path / "a.db"))  # the app seeds nothing into a store it is given
    app = create_app(store=store)
    assert call(app, "/api/leaderboard").json()["suite"] == "v1"
    written = add_v2_runs(store)
    after = call(app, "/api/leaderboard").json()
    assert after["suite"] == "v2"
    assert {r["model"] for r in after["rows"]} == {b.build.id for b in written}


@pytest.mark.parametrize(
    "url", ["/api/leaderboard", "/api/models/qwen-3.5-0.8b-bf16", "/api/presets", "/api/summary"]
)
def test_head_answers_like_get_without_a_body(app: FastAPI, url: str) -> None:
    get = call(app, url)
    head = call(app, url, "HEAD")
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-security-policy"] == CSP


def test_404_and_405_use_the_api_error_shape(app: FastAPI) -> None:
    missing = call(app, "/api/no-such-thing")
    assert missing.status_code == 404
    assert set(missing.json()) == {"error"}
    assert "/api/no-such-thing" in missing.json()["error"]
    wrong = call(app, "/api/leaderboard", "POST")
    assert wrong.status_code == 405
    assert set(wrong.json()) == {"error"}
    assert "GET" in wrong.json()["error"]
    assert "GET" in wrong.headers["allow"]
    static = call(app, "/static/no-such-file.js")
    assert static.status_code == 404
    assert set(static.json()) == {"error"}


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [
        ("gzip", True),
        ("br, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000, identity", False),
        ("*;q=0, identity", False),
        ("identity", False),
        ("", False),
    ],
)
def test_gzip_only_when_accepted(app: FastAPI, accept: str, gzipped: bool) -> None:
    js = call(app, "/static/plotly.min.js", headers={"accept-encoding": accept})
    assert js.status_code == 200
    assert ("content-encoding" in js.headers) is gzipped
    assert "plotly.js (basic - minified) v" in js.text[:200]
