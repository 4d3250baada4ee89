"""Suites on the page in real headless Chromium: the switch, J/tok, capacity, the sanity badge,
and a build's runs, energy and rate sweep."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from arena.catalog import load_catalog
from tests.e2e.conftest import Watch
from tests.v2_data import SHARED, SUSPECT_ANSWER, bundled

READY = "body[data-ready]"
CAT = load_catalog()


def api(page: Page, url: str) -> Any:
    """One API answer, to compare the DOM against."""
    res = page.request.get(url)
    assert res.ok
    return res.json()


def num2(x: float | None) -> str:
    """A number as the page writes it with two decimals: the API's decimal value rounded half
    up (toLocaleString), not the nearest binary float (3.355 -> 3.36)."""
    if x is None:
        return "–"
    return f"{Decimal(str(x)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def test_suite_switch(page: Page, v2_server: str, v2_watch: Watch, artifacts: Path) -> None:
    newest = api(page, f"{v2_server}/api/leaderboard")
    assert newest["suite"] == "v2"
    page.goto(f"{v2_server}/")
    page.wait_for_selector(READY)
    pills = page.locator("#suites button")
    v2_builds = {r["model"] for r in newest["rows"]}
    assert {b.id for b in bundled("v2").builds} < v2_builds  # the bundled v2 data and ours
    expect(pills).to_have_text(["v1 · 23 builds", f"v2 · {len(v2_builds)} builds"])
    expect(pills.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#tbody tr")).to_have_count(len(newest["rows"]))
    expect(page.locator("h1")).to_contain_text(f"{len(newest['rows'])} models.")
    expect(page.locator("#freshness")).to_contain_text(newest["latest_run"][:10])
    expect(page.locator("#thead")).to_contain_text("J/tok")
    for r in newest["rows"]:
        row = page.locator(f"#tbody tr[data-model='{r['model']}']")
        expect(row.locator("td").nth(8)).to_have_text(num2(r["joules_per_token"]))
        expect(row.locator("th a")).to_have_attribute("href", f"/models/{r['model']}?suite=v2")
    page.get_by_role("button", name="Methodology").click()
    items = page.locator("#m-body ol.m-benches li")
    expect(items).to_have_count(len(CAT.suites["v2"].bench_ids))
    page.keyboard.press("Escape")
    page.screenshot(path=str(artifacts / "suite-v2.png"), full_page=True)

    old = api(page, f"{v2_server}/api/leaderboard?suite=v1")
    page.evaluate("window.__same_document = true")
    pills.nth(0).click()
    expect(page).to_have_url(re.compile(r"/\?suite=v1$"))
    expect(page.locator("#tbody tr")).to_have_count(len(old["rows"]))
    expect(page.locator("#tbody tr").first).to_have_attribute("data-model", old["rows"][0]["model"])
    expect(page.locator("h1")).to_contain_text(f"{len(old['rows'])} models.")
    expect(page.locator("#freshness")).to_contain_text(old["latest_run"][:10])
    expect(page.locator("#table-caption")).to_contain_text("Suite v1")
    page.get_by_role("button", name="Methodology").click()
    expect(items).to_have_count(len(CAT.suites["v1"].bench_ids))
    page.keyboard.press("Escape")
    assert page.evaluate("window.__same_document") is True
    page.go_back()
    expect(page.locator("#tbody tr")).to_have_count(len(newest["rows"]))
    page.goto(f"{v2_server}/?suite=v9")
    page.wait_for_selector(READY)
    expect(page.locator("#status")).to_contain_text('unknown suite "v9"')
    expect(pills.nth(1)).to_have_attribute("aria-pressed", "true")


def test_sanity_badge_shows_the_answer_as_text(
    page: Page, v2_server: str, v2_watch: Watch, artifacts: Path
) -> None:
    rows = api(page, f"{v2_server}/api/leaderboard")["rows"]
    suspect = {
        r["model"]: r["sanity"]["answer"] for r in rows if r["sanity"]["verdict"] == "suspect"
    }
    assert suspect["v2-suspect"] == SUSPECT_ANSWER
    assert set(suspect["ministral-3-3b-instruct-bf16"]) == {"#"}  # the bundled v2 data's own
    page.goto(f"{v2_server}/")
    page.wait_for_selector(READY)
    expect(page.locator("#tbody .sanity-tag")).to_have_count(len(suspect))
    for model, answer in suspect.items():
        badge = page.locator(f"#tbody tr[data-model='{model}'] .sanity-tag")
        expect(badge).to_have_text(f"suspect: {answer}")
        expect(badge).to_have_attribute("title", re.compile("the model answered"))
    assert page.locator("img").count() == 0  # the answer's <img> stayed text
    page.screenshot(path=str(artifacts / "sanity-badge.png"))
    page.goto(f"{v2_server}/models/v2-suspect")
    page.wait_for_selector(READY)
    expect(page.locator("#facts .sanity-tag")).to_have_text(f"suspect: {SUSPECT_ANSWER}")
    assert page.locator("img").count() == 0


def test_team_server_shows_capacity(page: Page, v2_server: str, v2_watch: Watch) -> None:
    data = api(page, f"{v2_server}/api/leaderboard?preset=team-server")
    assert data["measure"] == "capacity_rps_5s"
    page.goto(f"{v2_server}/?preset=team-server")
    page.wait_for_selector(READY)
    header = page.locator("#thead th")
    expect(header.nth(5)).to_contain_text("Capacity rps @5s")  # G is the capacity, in rps
    expect(header.nth(6)).to_contain_text("Efficiency rps/GB")
    expect(page.locator("#chart .xtitle")).to_contain_text("requests/s with p95 TTFT ≤ 5 s")
    for r in data["rows"]:
        cell = page.locator(f"#tbody tr[data-model='{r['model']}'] td .raw").nth(1)
        if r["capacity_rps_5s"] is not None:
            assert r["throughput_tps"] == r["capacity_rps_5s"]
            expect(cell).to_have_text(num2(r["capacity_rps_5s"]))
    page.get_by_role("button", name="Aggregate").click()
    expect(page.locator("#thead")).not_to_contain_text("Capacity rps")
    expect(header.nth(5)).to_contain_text("Throughput tok/s")


def test_model_page_runs_energy_and_rate_sweep(
    page: Page, v2_server: str, v2_watch: Watch, artifacts: Path
) -> None:
    d = api(page, f"{v2_server}/api/models/v2-fast")
    page.goto(f"{v2_server}/models/v2-fast")
    page.wait_for_selector(READY)
    expect(page.locator("#runs tbody tr")).to_have_count(1)
    expect(page.locator("#runs tbody tr").first).to_contain_text("run-v2-fast")
    expect(page.locator("#facts")).to_contain_text("ok")
    expect(page.locator("section.bench")).to_have_count(len(d["benches"]))
    chat = page.locator("section.bench[data-bench=chat]")
    e = d["benches"]["chat"]["energy"]
    expect(chat.locator("dl.energy")).to_contain_text(f"{e['joules_per_output_token']:.3f}")
    expect(chat.locator("dl.energy")).to_contain_text(f"{e['mean_power_w']:.1f}")
    sweep = page.locator("section.bench[data-bench=rate-sweep]")
    capacity = d["benches"]["rate-sweep"]["capacity"]
    rows = sweep.locator("table.capacity tbody tr")
    expect(rows).to_have_count(len(capacity))
    for i, c in enumerate(capacity):
        text = "no step meets this limit" if c["offered_rps"] is None else num2(c["offered_rps"])
        expect(rows.nth(i).locator("td").first).to_have_text(text)
    expect(sweep.locator("table.steps tbody tr")).to_have_count(
        len(d["benches"]["rate-sweep"]["steps"])
    )
    page.screenshot(path=str(artifacts / "model-v2.png"), full_page=True)

    both = api(page, f"{v2_server}/api/models/{SHARED}")
    page.goto(f"{v2_server}/models/{SHARED}")
    page.wait_for_selector(READY)
    expect(page.locator("#runs tbody tr")).to_have_count(2)
    expect(page.locator("#subtitle")).to_contain_text("suite v2")
    v1_run = both["runs"][1]["id"]
    page.locator(f"#runs tr[data-run='{v1_run}'] th a").click()
    page.wait_for_selector(READY)
    expect(page).to_have_url(re.compile(rf"\?run={v1_run}$"))
    expect(page.locator("#subtitle")).to_contain_text("suite v1")
    expect(page.locator("section.bench")).to_have_count(len(CAT.suites["v1"].bench_ids))
    expect(page.locator(f"#runs tr[data-run='{v1_run}']")).to_have_class("current")
