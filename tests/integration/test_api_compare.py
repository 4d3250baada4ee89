"""GET /api/compare and the /compare page shell, in-process against a real SQLite store."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from arena.catalog import load_catalog
from arena.dataset import open_store
from arena.service import compare
from arena.web import CSP, create_app
from tests.integration.test_api import call

BF16, FP8, SMALL = "qwen-3.6-35b-a3b-bf16", "qwen-3.6-35b-a3b-fp8", "qwen-3.5-2b-bf16"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store seeded with the bundled dataset."""
    path = str(tmp_path_factory.mktemp("api-compare") / "a.db")
    open_store(path)
    return path


@pytest.fixture(scope="module")
def app(db: str) -> FastAPI:
    """The app over that store."""
    return create_app(db)


def test_compare_answers_the_library_comparison(app: FastAPI, db: str) -> None:
    res = call(app, f"/api/compare?ids={BF16},{FP8},{SMALL}&suite=v1")
    assert res.status_code == 200
    body = res.json()
    assert body == compare(open_store(db), load_catalog(), [BF16, FP8, SMALL], "v1")
    assert [b["id"] for b in body["builds"]] == [BF16, FP8, SMALL]
    assert body["suite"] == "v1"


@pytest.mark.parametrize("ids", [BF16, f"{BF16},{FP8},{SMALL},a,b", f"{BF16},{BF16}", ""])
def test_fewer_than_two_or_more_than_four_ids_are_422(app: FastAPI, ids: str) -> None:
    res = call(app, f"/api/compare?ids={ids}")
    assert res.status_code == 422
    assert set(res.json()) == {"error"}


def test_unknown_ids_and_suites_are_404(app: FastAPI) -> None:
    res = call(app, f"/api/compare?ids={BF16},nope-build")
    assert res.status_code == 404
    assert res.json()["error"].startswith("unknown build 'nope-build'")
    suite = call(app, f"/api/compare?ids={BF16},{FP8}&suite=v9")
    assert suite.status_code == 404
    assert "valid" in suite.json()
    missing = call(app, "/api/compare")
    assert missing.status_code == 422
    assert "ids" in missing.json()["error"]


def test_the_page_shell_loads_its_own_scripts_only(app: FastAPI) -> None:
    res = call(app, f"/compare?ids={BF16},{FP8}")
    assert res.status_code == 200
    assert res.headers["content-security-policy"] == CSP
    assert '<script src="/static/compare.js" defer></script>' in res.text
    assert "<script>" not in res.text
    js = call(app, "/static/compare.js")
    assert js.status_code == 200
    assert "innerHTML" not in js.text
    assert call(app, "/openapi.json").json()["paths"]["/api/compare"]["get"]


def test_hardware_is_named_and_an_unknown_one_is_422(app: FastAPI) -> None:
    res = call(app, f"/api/compare?ids={BF16},{FP8}&hardware=dgx-spark")
    assert res.status_code == 200
    assert res.json()["hardware"] == {
        "id": "dgx-spark",
        "name": "DGX Spark · GB10 · 128 GB unified",
    }
    assert call(app, f"/api/compare?ids={BF16},{FP8}").json()["hardware"]["id"] == "dgx-spark"
    bad = call(app, f"/api/compare?ids={BF16},{FP8}&hardware=nope")
    assert bad.status_code == 422
    assert bad.json() == {"error": "unknown hardware 'nope'", "valid": ["dgx-spark"]}
