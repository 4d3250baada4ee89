"""Compare in real headless Chromium: tick two leaderboard rows, press Compare, read the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import XSS, Watch

READY = "body[data-ready]"


def test_ticking_two_rows_opens_their_comparison(page: Page, watch: Watch, artifacts: Path) -> None:
    page.goto("/?suite=v1&preset=chat")
    page.wait_for_selector(READY)
    button = page.locator("#compare-btn")
    expect(button).to_be_disabled()
    other = page.locator('#tbody tr:not([data-model="xss-probe"])').first.get_attribute(
        "data-model"
    )
    assert other is not None
    page.locator('#tbody tr[data-model="xss-probe"] input.pick').check()
    expect(button).to_have_text("Compare (1)")
    page.locator(f'#tbody tr[data-model="{other}"] input.pick').check()
    expect(button).to_have_text("Compare (2)")
    expect(page.locator("#tbody tr.selected")).to_have_count(0)  # ticking is not selecting
    page.screenshot(path=str(artifacts / "compare-pick.png"))
    button.click()
    page.wait_for_url(re.compile(r"/compare\?"))
    page.wait_for_selector('body[data-ready="1"]')
    api = page.request.get(f"/api/compare?ids=xss-probe,{other}&suite=v1")
    assert api.ok
    data: dict[str, Any] = api.json()
    names = [b["name"] for b in data["builds"]]
    assert names[0] == XSS
    head = page.locator("#benches thead")
    for name in names:
        expect(head).to_contain_text(name)  # the probe's name as text, never as markup
    assert page.locator("#benches img").count() == 0
    chat = next(b for b in data["benches"] if b["bench"] == "chat")
    delta = chat["delta_pct"][1]
    assert delta is not None
    cell = page.locator('#benches tr[data-bench="chat"] td').nth(2)
    expect(cell).to_contain_text(f"{delta:+.1f} %")
    expect(page.locator("#legend")).to_contain_text("exceeds spread")
    expect(page.locator("#runs table")).to_have_count(2)
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)


def test_ticks_hold_four_builds_and_clear_on_another_suite(page: Page, watch: Watch) -> None:
    page.goto("/?suite=v1")
    page.wait_for_selector(READY)
    boxes = page.locator("#tbody input.pick")
    for i in range(4):
        boxes.nth(i).check()
    expect(page.locator("#compare-btn")).to_have_text("Compare (4)")
    expect(boxes.nth(4)).to_be_disabled()  # four is the most
    page.locator('#suites button[data-id="v2"]').click()
    page.wait_for_selector('body[data-ready="2"]')
    expect(page.locator("#compare-btn")).to_have_text("Compare (0)")
    expect(page.locator("#tbody input.pick:checked")).to_have_count(0)
