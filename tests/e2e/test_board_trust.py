"""A board with two hardware and runs from several hosts, in real headless Chromium: the
hardware switch, the reproduced badge, and a build's runs across hosts with a retraction and a
disagreeing run."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from arena.dataset import open_store
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance, RunInfo
from arena.store import Store
from arena.store.schema import RunRow
from tests.e2e.conftest import Watch, serve

READY = "body[data-ready]"
SPARK = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
LAB = HardwareInfo("lab-4090", "RTX 4090 · 24 GB")
CHAT = BenchRecord("chat", 40.0, 300.0, None, None, 150.0, 1.0, Provenance("e2e-test"))
SHARED_BUILD = BuildInfo(
    "lab-shared", "Lab shared build", "org/lab", "bf16", "dgx-spark", params_total_b=3.0
)


def _mark(store: Store, run_id: str, **values: str) -> None:
    with store.session() as s:
        row = s.get(RunRow, run_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


@pytest.fixture(scope="module")
def board_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bundled data; two builds on a second hardware; one build measured by two hosts that
    agree, a third host that does not, and a retracted run."""
    db = str(tmp_path_factory.mktemp("e2e-board") / "a.db")
    store = open_store(db)
    for i in (1, 2):
        build = BuildInfo(f"lab-only-{i}", f"Lab only {i}", "org/lab", "bf16", "lab-4090", 3.0)
        run = RunInfo(f"lab-run-{i}", "v2", "lab-4090", date="2026-09-01")
        store.put_build(build, LAB, [dataclasses.replace(CHAT, tps_per_user=30.0 + i)], run=run)
    runs = [("host-a", 40.0, "2026-09-01"), ("host-b", 41.0, "2026-09-02"),
            ("host-c", 20.0, "2026-09-03"), ("host-d", 90.0, "2026-09-04")]  # fmt: skip
    for host, tps, day in runs:
        run = RunInfo(f"run-{host}", "v2", "dgx-spark", date=day)
        store.put_build(SHARED_BUILD, SPARK, [dataclasses.replace(CHAT, tps_per_user=tps)], run=run)
        _mark(store, f"run-{host}", submitted_by=host, submitted_at=f"{day}T12:00:00Z")
    _mark(store, "run-host-d", retracted_at="2026-09-05T08:00:00Z", retract_reason="wrong quant")
    store.close()
    yield from serve(db)


def api(page: Page, url: str) -> Any:
    res = page.request.get(url)
    assert res.ok
    return res.json()


def test_hardware_switch_and_reproduced_badge(
    page: Page, board_server: str, artifacts: Path
) -> None:
    watch = Watch(page, board_server)
    spark = api(page, f"{board_server}/api/leaderboard")
    assert spark["hardware"]["id"] == "dgx-spark"
    shared = next(r for r in spark["rows"] if r["model"] == "lab-shared")
    assert (shared["reproduced"], shared["hosts"]) == (True, 3)  # a and b agree; d retracted
    page.goto(f"{board_server}/")
    page.wait_for_selector(READY)
    expect(page.locator("#hw-switch")).to_be_visible()
    pills = page.locator("#hardwares button")
    expect(pills).to_have_text([f"DGX Spark · {len(spark['rows'])} builds", "RTX 4090 · 2 builds"])
    expect(pills.nth(0)).to_have_attribute("aria-pressed", "true")
    row = page.locator("#tbody tr[data-model='lab-shared']")
    expect(row.locator(".repro-tag")).to_have_text("reproduced")
    expect(page.locator("#tbody .repro-tag")).to_have_count(1)
    page.screenshot(path=str(artifacts / "board-hardware.png"), full_page=True)
    pills.nth(1).click()
    expect(page).to_have_url(re.compile(r"hardware=lab-4090"))
    expect(page.locator("#tbody tr")).to_have_count(2)
    expect(page.locator("#table-caption")).to_contain_text("RTX 4090")
    lab = api(page, f"{board_server}/api/leaderboard?hardware=lab-4090")
    expect(page.locator("#tbody tr").first).to_have_attribute("data-model", lab["rows"][0]["model"])
    bad = page.request.get(f"{board_server}/api/leaderboard?hardware=nope")
    assert bad.status == 422
    assert bad.json()["valid"] == ["dgx-spark", "lab-4090"]
    assert watch.errors == []
    assert watch.off_host == []
    assert watch.dialogs == []


def test_model_page_lists_hosts_retraction_and_disagreement(page: Page, board_server: str) -> None:
    watch = Watch(page, board_server)
    d = api(page, f"{board_server}/api/models/lab-shared")
    assert d["run_id"] == "run-host-c"  # the newest run that is not retracted
    page.goto(f"{board_server}/models/lab-shared")
    page.wait_for_selector(READY)
    expect(page.locator("h1 .repro-tag")).to_have_text("reproduced")
    rows = page.locator("#runs tbody tr")
    expect(rows).to_have_count(4)
    retracted = page.locator("#runs tr[data-run='run-host-d']")
    expect(retracted).to_have_class(re.compile("retracted"))
    expect(retracted.locator("th s")).to_have_text("run-host-d")
    expect(retracted).to_contain_text("wrong quant")
    expect(retracted).to_contain_text("host-d")
    # shown: host-c's 20 tok/s; a (40) and b (41) are more than 15 % off it
    for host in ("a", "b"):
        expect(page.locator(f"#runs tr[data-run='run-host-{host}']")).to_contain_text("disagrees")
    expect(page.locator("#runs tr[data-run='run-host-c']")).to_contain_text("agrees")
    expect(page.locator("#runs-note")).to_contain_text("Reproduced: runs from 3 hosts")
    assert watch.errors == []
    assert watch.off_host == []
    assert watch.dialogs == []


def test_compare_keeps_the_hardware_in_view(page: Page, board_server: str) -> None:
    watch = Watch(page, board_server)
    page.goto(f"{board_server}/?suite=v2&hardware=lab-4090")
    page.wait_for_selector(READY)
    for i in (1, 2):
        page.locator(f"#tbody tr[data-model='lab-only-{i}'] input.pick").check()
    page.locator("#compare-btn").click()
    page.wait_for_url(re.compile(r"/compare\?.*hardware=lab-4090"))
    page.wait_for_selector('body[data-ready="1"]')
    data = api(page, f"{board_server}/api/compare?ids=lab-only-1,lab-only-2&hardware=lab-4090")
    assert data["hardware"] == {"id": "lab-4090", "name": "RTX 4090 · 24 GB"}
    expect(page.locator("#title")).to_have_text("Compare 2 builds on RTX 4090 · 24 GB")
    expect(page.locator("#subtitle")).to_contain_text("hardware RTX 4090 · 24 GB (lab-4090)")
    expect(page.locator("#runs table").first.locator("tbody td").nth(1)).to_have_text("lab-4090")
    expect(page.locator("#back")).to_have_attribute("href", "/?suite=v2&hardware=lab-4090")
    bad = page.request.get(
        f"{board_server}/api/compare?ids=lab-only-1,lab-shared&hardware=lab-4090"
    )
    assert bad.status == 422
    assert bad.json()["valid"] == []
    assert "build 'lab-shared' has no run on hardware 'lab-4090'" in bad.json()["error"]
    assert watch.errors == []
    assert watch.off_host == []
    assert watch.dialogs == []


def test_one_hardware_shows_no_hardware_switch(page: Page, watch: Watch) -> None:
    """The bundled data has one hardware: nothing to switch to, so no empty "Hardware" label."""
    page.goto("/")
    page.wait_for_selector(READY)
    expect(page.locator("#hw-switch")).to_be_hidden()
    expect(page.locator("#suites button").first).to_be_visible()


@pytest.mark.parametrize("build", ["lab-shared", "qwen-3.6-35b-a3b-bf16"])
def test_runs_table_fits_at_1440_with_a_retraction_reason(
    page: Page, board_server: str, build: str, artifacts: Path
) -> None:
    """Long cells (a retraction's reason, tools, environment) wrap: no sideways scroll."""
    watch = Watch(page, board_server)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{board_server}/models/{build}")
    page.wait_for_selector('body[data-ready="1"]')
    fit = page.evaluate(
        """() => { const w = document.querySelector('#runs').closest('.table-wrap');
                   return [w.scrollWidth, w.clientWidth]; }"""
    )
    assert fit[0] <= fit[1], f"runs table {fit[0]} px in a {fit[1]} px box"
    if build == "lab-shared":
        tag = page.locator("#runs tr[data-run='run-host-d'] .retracted-tag")
        expect(tag).to_have_text("retracted 2026-09-05: wrong quant")
        expect(tag).to_be_in_viewport()
    page.screenshot(path=str(artifacts / f"model-1440-{build}.png"), full_page=True)
    assert watch.errors == []
    assert watch.off_host == []
