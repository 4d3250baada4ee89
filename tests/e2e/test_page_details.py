"""Small page faults of issue 12 in real headless Chromium: pill focus, unmeasured tiers, the
back link, counts in words, the close button's name, /docs."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Watch

READY = "body[data-ready]"


def board(page: Page, query: str = "") -> dict[str, Any]:
    """The API's view, to compare the DOM against."""
    res = page.request.get(f"/api/leaderboard{query}")
    assert res.ok
    data: dict[str, Any] = res.json()
    return data


def focused_pill(page: Page) -> list[str | None]:
    """data-id and aria-pressed of the focused element."""
    got: list[str | None] = page.evaluate(
        "[document.activeElement.dataset.id || null,"
        " document.activeElement.getAttribute('aria-pressed')]"
    )
    return got


def test_pressed_pill_keeps_keyboard_focus(page: Page, watch: Watch) -> None:
    page.goto("/?suite=v1")
    page.wait_for_selector(READY)
    page.locator('#presets button[data-id="batch"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('body[data-ready="2"]')
    assert focused_pill(page) == ["batch", "true"]
    page.locator('#buckets button[data-id="small"]').focus()
    page.keyboard.press(" ")
    page.wait_for_selector('body[data-ready="3"]')
    assert focused_pill(page) == ["small", "true"]
    expect(page.locator('#presets button[aria-pressed="true"]')).to_have_attribute(
        "data-id", "batch"
    )
    page.keyboard.press("Tab")  # focus moves on from the pill, not from <body>
    assert page.evaluate("document.activeElement.closest('#buckets') !== null")


def test_unmeasured_rows_have_a_neutral_tier_and_no_efficiency(page: Page, watch: Watch) -> None:
    rows = board(page, "?suite=v1&preset=reasoning")["rows"]
    missing = [r for r in rows if "no-measurement" in r["flags"] and "leader" not in r["flags"]]
    assert any(r["tier"] == "top" for r in missing)  # the score alone would say TOP
    page.goto("/?suite=v1&preset=reasoning")
    page.wait_for_selector(READY)
    unmeasured = page.locator("#tbody tr:has(td.nm)")
    expect(unmeasured).to_have_count(len(missing))
    expect(unmeasured.locator("td.tier-top")).to_have_count(0)
    expect(unmeasured.locator("td.tier-none .tier-label")).to_have_count(len(missing))
    assert set(unmeasured.locator(".tier-label").all_inner_texts()) == {"no measurement"}
    assert set(unmeasured.locator("td.eff-nm").all_inner_texts()) == {"–"}
    expect(unmeasured.locator("td.eff-nm")).to_have_count(len(missing))
    measured = page.locator("#tbody tr:not(:has(td.nm))")
    expect(measured.locator("td.tier-none")).to_have_count(0)


def test_model_page_back_link_keeps_the_view(page: Page, watch: Watch) -> None:
    view = "suite=v1&preset=reasoning&bucket=medium"
    page.goto(f"/?{view}")
    page.wait_for_selector(READY)
    page.locator("#tbody tr").first.locator("th a").click()
    page.wait_for_url("**/models/**")
    page.wait_for_selector(READY)
    back = page.locator("#back")
    expect(back).to_have_attribute("href", f"/?{view}")
    back.click()
    page.wait_for_selector(READY)
    assert page.url.endswith(f"/?{view}")
    expect(page.locator('#presets button[aria-pressed="true"]')).to_have_attribute(
        "data-id", "reasoning"
    )
    expect(page.locator('#buckets button[aria-pressed="true"]')).to_have_attribute(
        "data-id", "medium"
    )


def test_counts_read_in_the_right_number(page: Page, watch: Watch) -> None:
    assert len(board(page, "?suite=v1&bucket=large")["rows"]) == 1
    page.goto("/?suite=v1&bucket=large")
    page.wait_for_selector(READY)
    expect(page.locator("#status")).to_contain_text("1 build ranked")
    page.goto("/")
    page.wait_for_selector(READY)
    n = len(board(page)["rows"])
    expect(page.locator("#status")).to_contain_text(f"{n} builds ranked")


def test_partial_row_tooltip_counts_benches_once(page: Page, watch: Watch) -> None:
    rows = board(page, "?suite=v1")["rows"]
    partial = next(r for r in rows if "partial-benches" in r["flags"])
    total, measured = partial["benches_total"], partial["benches_measured"]
    page.goto("/?suite=v1")
    page.wait_for_selector(READY)
    expect(page.locator("#weights-strip")).to_contain_text(f"mean over {total} benches")
    page.locator(f'#tbody tr[data-model="{partial["model"]}"] td').first.click()
    tip = page.locator("#chart .hoverlayer .hovertext")
    expect(tip).to_contain_text(f"mean over {total} benches, {measured} measured")
    assert f"{measured}/{total} benches" not in (tip.text_content() or "")


def test_close_button_name_holds_its_visible_text(page: Page, watch: Watch) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    page.get_by_role("button", name="Methodology").click()
    close = page.locator("#m-close")
    expect(close).to_be_visible()
    visible = close.inner_text().strip()
    assert visible
    snapshot = close.aria_snapshot()  # '- button "<accessible name>"[: <content>]'
    name = re.match(r'- button "(.*)"', snapshot)
    assert name is not None, snapshot
    assert visible.lower() in name.group(1).lower(), snapshot
    close.click()
    expect(page.locator("dialog#methodology")).to_be_hidden()


def test_docs_page_renders_code_and_loads_clean(page: Page, watch: Watch) -> None:
    page.goto("/docs")
    page.wait_for_selector(READY)
    main = page.locator("#endpoints")
    expect(main).to_contain_text("GET /api/leaderboard")
    assert "`" not in main.inner_text()
    expect(main.locator("p code", has_text="arena leaderboard")).to_have_count(1)
