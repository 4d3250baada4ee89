"""The offline snapshot in real headless Chromium from file://: no request, switches, chart."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from arena.dataset import open_store
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance, RunInfo
from arena.web import render_snapshot

READY = "body[data-ready]"
PAYLOAD = re.compile(r'<script type="application/json" id="arena-snapshot">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """The file written over the bundled data, and the rankings embedded in it."""
    where = tmp_path_factory.mktemp("snapshot")
    store = open_store(str(where / "a.db"))
    try:
        doc = render_snapshot(store)
    finally:
        store.close()
    assert "plotly.js (basic - minified) v" in doc  # the vendored partial bundle
    path = where / "board.html"
    path.write_text(doc, encoding="utf-8")
    found = PAYLOAD.search(doc)
    assert found is not None
    return path.as_uri(), json.loads(found.group(1))


@pytest.fixture
def requests(page: Page) -> Iterator[list[str]]:
    """Every URL the page asks for; the test adds the checks on console errors."""
    seen: list[str] = []
    errors: list[str] = []
    page.on("request", lambda req: seen.append(req.url))
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    yield seen
    assert errors == []


def models(page: Page) -> list[str | None]:
    return [tr.get_attribute("data-model") for tr in page.locator("#tbody tr").all()]


def test_opens_from_file_with_no_request_and_switches(
    page: Page, requests: list[str], snapshot: tuple[str, dict[str, Any]], artifacts: Path
) -> None:
    url, data = snapshot
    default = data["boards"][data["summary"]["suite"]]
    page.goto(url)
    page.wait_for_selector(READY)
    rows = default["aggregate"]["all"]["rows"]
    expect(page.locator("#tbody tr")).to_have_count(len(rows))
    assert models(page) == [r["model"] for r in rows]
    expect(page.locator("#tbody th.model").first).to_contain_text(rows[0]["name"])
    expect(page.locator("#tbody a")).to_have_count(0)  # model names are plain text offline
    expect(page.locator("#attribution")).to_contain_text("Django de Vreng")
    # the chart draws one marker per row
    expect(page.locator("#chart")).to_have_attribute("data-drawn", re.compile(r"\d+"))
    expect(page.locator("#chart g.trace.scatter path.point")).to_have_count(len(rows))
    expect(page.locator("#chart-status")).to_be_hidden()

    # a preset whose order differs from the default, so a re-render shows
    target = next(
        p
        for p in data["presets"]
        if [r["model"] for r in default[p["id"]]["all"]["rows"]] != [r["model"] for r in rows]
    )
    before = page.locator("body").get_attribute("data-ready")
    page.get_by_role("button", name=target["title"], exact=True).click()
    expect(page.locator("body")).not_to_have_attribute("data-ready", before or "")
    expect(page.locator("#status")).to_contain_text(f"ranked for {target['title']}")
    wanted = [r["model"] for r in default[target["id"]]["all"]["rows"]]
    assert models(page) == wanted
    expect(page.locator(f'#presets button[data-id="{target["id"]}"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    page.screenshot(path=str(artifacts / "snapshot-preset.png"), full_page=True)
    assert [u for u in requests if not u.startswith("data:")] == [url]


def test_bucket_and_suite_switch_offline(
    page: Page, requests: list[str], snapshot: tuple[str, dict[str, Any]]
) -> None:
    url, data = snapshot
    page.goto(url)
    page.wait_for_selector(READY)
    other = next(s["id"] for s in data["summary"]["suites"] if s["id"] != data["summary"]["suite"])
    page.locator(f'#suites button[data-id="{other}"]').click()
    expect(page.locator("#status")).to_contain_text(f"suite {other}")
    small = data["boards"][other]["aggregate"]["small"]["rows"]
    assert 0 < len(small) < len(data["boards"][other]["aggregate"]["all"]["rows"])
    page.locator('#buckets button[data-id="small"]').click()
    expect(page.locator("#tbody tr")).to_have_count(len(small))
    assert models(page) == [r["model"] for r in small]
    expect(page.locator("#chart g.trace.scatter path.point")).to_have_count(len(small))
    # custom weights need the scorer behind the API, so the file hides them; the dialog works
    expect(page.locator("#custom")).to_be_hidden()
    page.locator("#methodology-btn").click()
    expect(page.locator("#methodology")).to_be_visible()
    expect(page.locator("#m-body")).to_contain_text("in bucket Small")
    assert [u for u in requests if not u.startswith("data:")] == [url]


@pytest.fixture(scope="module")
def two_hardware(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """A snapshot of the bundled data plus two v2 builds on a second hardware."""
    where = tmp_path_factory.mktemp("snapshot-hw")
    store = open_store(str(where / "a.db"))
    lab = HardwareInfo("lab-4090", "RTX 4090 · 24 GB")
    chat = BenchRecord("chat", 30.0, 200.0, None, None, 150.0, 1.0, Provenance("e2e-test"))
    try:
        for i in (1, 2):
            build = BuildInfo(f"lab-{i}", f"Lab {i}", "org/lab", "bf16", lab.id, params_total_b=3.0)
            store.put_build(build, lab, [chat], run=RunInfo(f"lab-run-{i}", "v2", lab.id))
        doc = render_snapshot(store)
    finally:
        store.close()
    path = where / "board.html"
    path.write_text(doc, encoding="utf-8")
    found = PAYLOAD.search(doc)
    assert found is not None
    return path.as_uri(), json.loads(found.group(1))


def test_the_hardware_switch_stays_hidden_offline(
    page: Page, requests: list[str], two_hardware: tuple[str, dict[str, Any]]
) -> None:
    """The file ranks each suite on its default hardware only, so it offers no other."""
    url, data = two_hardware
    suite = data["summary"]["suite"]
    hardware = next(s["hardware"] for s in data["summary"]["suites"] if s["id"] == suite)
    assert [h["id"] for h in hardware] == ["dgx-spark", "lab-4090"]  # the live page shows both
    page.goto(url)
    page.wait_for_selector(READY)
    expect(page.locator("#hw-switch")).to_be_hidden()
    expect(page.locator("#table-caption")).to_contain_text(hardware[0]["name"])
    board = data["boards"][suite]["aggregate"]["all"]
    assert board["hardware"]["id"] == "dgx-spark"
    assert models(page) == [r["model"] for r in board["rows"]]
    expect(page.locator("#snapshot-note")).to_contain_text("another hardware")
    assert [u for u in requests if not u.startswith("data:")] == [url]
