"""Issue 12's page faults in real headless Chromium: the table's fit at 1440 px and on a phone,
no-quality builds in the chart, the chart's loading and failure states, tap-to-details."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.conftest import Watch

READY = "body[data-ready]"
PLOTLY = "**/static/plotly.min.js"


def api(page: Page, path: str) -> Any:
    """One answer of the JSON API the page reads."""
    res = page.request.get(path)
    assert res.ok
    return res.json()


def no_quality(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if "no-quality" in r["flags"]]


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """A 390 x 844 touch screen (no mouse) on the live server."""
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    yield page
    context.close()


def assert_table_fits(page: Page, base: str, width: int = 1440) -> None:
    """Every suite x preset: the table no wider than its box, no Score cell or badge past it."""
    page.set_viewport_size({"width": width, "height": 900})
    suites = [s["id"] for s in api(page, f"{base}/api/summary")["suites"]]
    presets = [p["id"] for p in api(page, f"{base}/api/presets")]
    assert len(suites) >= 2
    seen = 0
    for suite in suites:
        for preset in presets:
            page.goto(f"{base}/?suite={suite}&preset={preset}")
            page.wait_for_selector(READY)
            fit = page.evaluate(
                """() => {
                  const wrap = document.querySelector('.table-wrap');
                  const right = wrap.getBoundingClientRect().right;
                  const ends = document.querySelectorAll('#tbody .c-score, #tbody .tier-label');
                  const score = [...ends].map((c) => c.getBoundingClientRect().right);
                  return [wrap.scrollWidth, wrap.clientWidth, Math.max(...score) <= right];
                }"""
            )
            assert fit[0] <= fit[1], f"{suite}/{preset}: table {fit[0]} px in a {fit[1]} px box"
            assert fit[2], f"{suite}/{preset}: a Score cell or tier badge ends past the box"
            seen += 1
    assert seen == len(suites) * len(presets)


def test_table_fits_its_box_at_1440_in_every_preset(
    page: Page, live_server: str, watch: Watch
) -> None:
    assert_table_fits(page, live_server)


def test_table_fits_a_tablet_width_as_cards(page: Page, live_server: str, watch: Watch) -> None:
    assert_table_fits(page, live_server, width=1024)


def test_table_fits_at_1440_with_long_sanity_answers(
    page: Page, v2_server: str, v2_watch: Watch
) -> None:
    assert_table_fits(page, v2_server)  # the v2 runs add a suspect answer and power


def test_phone_keeps_rank_name_and_score_in_view(phone: Page, artifacts: Path) -> None:
    for query in ("/", "/?suite=v2&preset=team-server"):
        phone.goto(query)
        phone.wait_for_selector(READY)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        rows = phone.locator("#tbody tr")
        assert rows.count() > 5
        boxes = phone.evaluate(
            """() => [...document.querySelectorAll('#tbody tr')].map((tr) =>
                 ['.c-rank', '.c-name', '.c-score'].map((sel) => {
                   const r = tr.querySelector(sel).getBoundingClientRect();
                   return [r.left, r.right, r.width];
                 }))"""
        )
        for row in boxes:
            for left, right, width in row:
                assert width > 0
                assert left >= 0
                assert right <= 390
        first = rows.first
        first.scroll_into_view_if_needed()
        for sel in (".c-rank", ".c-name", ".c-score"):
            expect(first.locator(sel)).to_be_in_viewport()
        expect(first.locator(".c-score")).to_contain_text("leader")
    phone.screenshot(path=str(artifacts / "phone-390-cards.png"), full_page=True)


def test_no_quality_builds_have_their_own_marker_and_legend_entry(page: Page, watch: Watch) -> None:
    query = "?suite=v1&preset=reasoning"
    rows = api(page, f"/api/leaderboard{query}")["rows"]
    unrated = [r for r in no_quality(rows) if not r["pareto"]]
    assert unrated
    page.goto(f"/{query}")
    page.wait_for_selector(READY)
    legend = page.locator("#chart .legend")
    expect(legend).to_contain_text("No quality data")
    expect(page.locator("#chart .ytick").filter(has_text="no data")).to_have_count(1)
    trace = page.locator("#chart g.trace.scatter").nth(2)
    expect(trace.locator("path.point")).to_have_count(len(unrated))
    # × marks at x = 0 (and every bubble) are drawn outside the plot's clip area too
    assert page.evaluate(
        "[...document.querySelectorAll('#chart g.trace.scatter')]"
        ".filter((t) => t.querySelector('path.point'))"
        ".every((t) => !t.querySelector('g.points').hasAttribute('clip-path'))"
    )
    # a view where every build has quality data shows neither the entry nor the band
    buckets = [b["id"] for b in api(page, "/api/buckets")]
    rated = next(
        b
        for b in buckets
        if (got := api(page, f"/api/leaderboard?suite=v1&bucket={b}")["rows"])
        and not no_quality(got)
    )
    page.goto(f"/?suite=v1&bucket={rated}")
    page.wait_for_selector(READY)
    expect(page.locator("#chart .legend")).not_to_contain_text("No quality data")
    expect(page.locator("#chart .ytick").filter(has_text="no data")).to_have_count(0)


def test_chart_shows_loading_until_drawn(page: Page, watch: Watch) -> None:
    held: list[Route] = []
    page.route(PLOTLY, lambda route: held.append(route))  # held until the test lets it through
    page.goto("/", wait_until="domcontentloaded")  # "load" would wait for the held bundle
    expect(page.locator("#tbody tr").first).to_be_visible()  # the table does not wait
    status = page.locator("#chart-status")
    expect(status).to_be_visible()
    expect(status).to_have_text("Loading the chart…")
    expect(page.locator(".chart-box")).to_have_attribute("data-chart", "loading")
    assert page.locator("#chart").get_attribute("data-drawn") is None
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_selector(READY)
    expect(status).to_be_hidden()
    expect(page.locator(".chart-box")).to_have_attribute("data-chart", "drawn")
    expect(page.locator("#chart g.trace.scatter path.point").first).to_be_visible()


def test_chart_failure_shows_a_message_and_keeps_the_table(page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(PLOTLY, lambda route: route.abort())
    page.goto("/")
    page.wait_for_selector(READY)
    status = page.locator("#chart-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("The chart could not be drawn")
    expect(status).to_contain_text("could not load /static/plotly.min.js")
    expect(page.locator(".chart-box")).to_have_attribute("data-chart", "failed")
    expect(page.locator("#tbody tr").first).to_be_visible()
    # switching the view still works without a chart
    page.locator('#presets button[data-id="batch"]').click()
    expect(page.locator("#status")).to_contain_text("Batch")
    assert errors == []


def test_chart_that_throws_shows_a_message(page: Page) -> None:
    page.route(PLOTLY, lambda route: route.fulfill(body="throw new Error('broken bundle');"))
    page.goto("/")
    page.wait_for_selector(READY)
    expect(page.locator("#chart-status")).to_contain_text("defined no Plotly")
    expect(page.locator(".chart-box")).to_have_attribute("data-chart", "failed")


def test_tap_on_a_bubble_shows_its_details_in_place(phone: Page, artifacts: Path) -> None:
    data = api(phone, "/api/leaderboard")
    model = data["frontier"][-1]
    row = next(r for r in data["rows"] if r["model"] == model)
    phone.goto("/")
    phone.wait_for_selector(READY)
    expect(phone.get_by_text("Hover or tap a bubble for its details")).to_be_visible()
    phone.locator("#chart").scroll_into_view_if_needed()
    point = phone.locator("#chart g.trace.scatter").first.locator("path.point").last
    box = point.bounding_box()
    assert box is not None
    before = phone.evaluate("window.scrollY")
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    panel = phone.locator("#bubble")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-model", model)
    expect(panel.locator(".bubble-title")).to_have_text(row["name"])
    expect(panel).to_contain_text(f"rank {row['rank']}")
    expect(panel.locator(".bubble-title")).to_be_in_viewport()
    assert phone.evaluate("window.scrollY") == before  # the page did not jump to the table
    expect(phone.locator("#chart .hoverlayer .hovertext")).to_have_count(0)  # no label over it
    expect(phone.locator(f'#tbody tr[data-model="{model}"]')).to_have_attribute(
        "aria-selected", "true"
    )
    phone.screenshot(path=str(artifacts / "phone-390-tap.png"))
    panel.get_by_role("button", name="Show in the table").click()
    expect(phone.locator(f'#tbody tr[data-model="{model}"]')).to_be_in_viewport()
    expect(phone.locator(f'#tbody tr[data-model="{model}"]')).to_be_focused()


@pytest.mark.parametrize(
    "path",
    [
        "/models/qwen-3.6-35b-a3b-bf16",
        "/compare?ids=qwen-3.6-35b-a3b-bf16,qwen-3.6-35b-a3b-fp8",
    ],
)
def test_model_and_compare_pages_fit_a_phone(phone: Page, path: str, artifacts: Path) -> None:
    """Their tables scroll sideways in their own box; the page itself never does."""
    phone.goto(path)
    phone.wait_for_selector('body[data-ready="1"]')
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    wide = phone.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter((w) => w.scrollWidth > w.clientWidth)"
        ".map((w) => getComputedStyle(w).overflowX)"
    )
    assert wide  # some table is wider than the phone: it scrolls in its box
    assert set(wide) == {"auto"}
    name = path.strip("/").split("?")[0].replace("/", "-")
    phone.screenshot(path=str(artifacts / f"phone-390-{name}.png"), full_page=True)
