"""The leaderboard page in real headless Chromium: switches, chart, table, dialog, XSS, phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import XSS, Watch

READY = "body[data-ready]"


def board(page: Page, query: str = "") -> dict[str, Any]:
    """The API's view, to compare the DOM against."""
    res = page.request.get(f"/api/leaderboard{query}")
    assert res.ok
    data: dict[str, Any] = res.json()
    return data


def first_model(page: Page) -> str | None:
    return page.locator("#tbody tr").first.get_attribute("data-model")


def hover_last_frontier_point(page: Page) -> None:
    """Real mouse over the rightmost frontier bubble (isolated, so hover picks it)."""
    page.locator("#chart").scroll_into_view_if_needed()
    point = page.locator("#chart g.trace.scatter").first.locator("path.point").last
    box = point.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=3)


def test_loads_clean_with_headline_and_attribution(
    page: Page, watch: Watch, artifacts: Path
) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    data = board(page)
    expect(page.locator("h1")).to_contain_text(
        f"The Arena. {len(data['rows'])} models. 1 DGX Spark."
    )
    expect(page.locator("#tbody tr")).to_have_count(len(data["rows"]))
    expect(page.locator("#attribution")).to_have_text(
        "Data: Django de Vreng, djangodevreng.nl, CC-BY-4.0"
    )
    expect(page.locator("#freshness")).to_contain_text(data["latest_run"][:10])
    expect(page.locator("#weights-strip")).to_contain_text("70 %")
    expect(page.locator("#formula")).to_have_text(
        "score = 70 %·Quality + 20 %·Throughput + 10 %·Efficiency"
    )
    legend = page.locator("#chart .legend")
    for label in ("On the Pareto frontier", "Dominated", "VRAM (small → large)"):
        expect(legend).to_contain_text(label)
    leader = page.locator("#tbody tr").first.locator("td.score")
    expect(leader).to_have_class(re.compile(r"^num score tier-leader\b"))
    expect(leader).to_contain_text("leader")
    expect(page.locator("#tbody tr").last.locator("td.score")).to_contain_text("tail")
    page.screenshot(path=str(artifacts / "leaderboard-aggregate.png"), full_page=True)


def test_switching_preset_reranks_without_reload(page: Page, watch: Watch, artifacts: Path) -> None:
    aggregate, batch = board(page)["rows"][0]["model"], board(page, "?preset=batch")["rows"][0]
    assert aggregate != batch["model"]  # a known reordering in the bundled data
    page.goto("/")
    page.wait_for_selector(READY)
    assert first_model(page) == aggregate
    page.evaluate("window.__same_document = true")
    page.get_by_role("button", name="Batch / RAG offline").click()
    expect(page.locator("#tbody tr").first).to_have_attribute("data-model", batch["model"])
    expect(page).to_have_url(re.compile(r"/\?preset=batch$"))
    expect(page.locator("#formula")).to_contain_text("20 %·Quality + 70 %·Throughput")
    assert page.evaluate("window.__same_document") is True
    page.screenshot(path=str(artifacts / "leaderboard-batch.png"), full_page=True)


def test_switching_bucket_renormalises(page: Page, watch: Watch) -> None:
    page.goto("/?preset=batch")
    page.wait_for_selector(READY)
    page.get_by_role("button", name="Small (< 8B)").click()
    expect(page).to_have_url(re.compile("bucket=small"))
    small = board(page, "?preset=batch&bucket=small")["rows"]
    rows = page.locator("#tbody tr")
    expect(rows).to_have_count(len(small))
    rels = page.locator("#tbody .rel").all_inner_texts()
    assert "Q 100.0" in rels or "G 100.0" in rels
    assert all(t == "small" for t in page.locator("#tbody tr td:nth-child(4)").all_inner_texts())


def test_url_state_and_custom_weights(page: Page, watch: Watch) -> None:
    page.goto("/?preset=chat&bucket=medium&wq=50&wg=40&we=10")
    page.wait_for_selector(READY)
    expect(page.locator("#formula")).to_contain_text("50 %·Quality + 40 %·Throughput")
    expect(page.locator("#wq")).to_have_value("50")
    page.locator("#wq").fill("80")
    expect(page).to_have_url(re.compile("wq=80"))
    values = [int(page.locator(f"#{k}").input_value()) for k in ("wq", "wg", "we")]
    assert values[0] == 80
    assert sum(values) == 100
    expect(page.locator("#formula")).to_contain_text("80 %·Quality")
    # an API-style URL with fractions (sum 1) means the same weights
    page.goto("/?preset=chat&wq=0.6&wg=0.3&we=0.1")
    page.wait_for_selector(READY)
    expect(page.locator("#formula")).to_contain_text("60 %·Quality + 30 %·Throughput")
    expect(page.locator("#wq")).to_have_value("60")


def test_hovering_a_bubble_shows_its_tooltip(page: Page, watch: Watch) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    data = board(page)
    name = next(r["name"] for r in data["rows"] if r["model"] == data["frontier"][-1])
    hover_last_frontier_point(page)
    tip = page.locator("#chart .hoverlayer .hovertext")
    expect(tip).to_contain_text(name)
    expect(tip).to_contain_text("Score")
    expect(tip).to_contain_text("TTFT (p50, else mean)")


def test_row_click_highlights_bubble(page: Page, watch: Watch) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    row = page.locator("#tbody tr").nth(2)
    name = row.locator("th a").inner_text()
    row.locator("td").first.click()
    expect(row).to_have_class("selected")
    expect(page.locator("#chart .hoverlayer .hovertext")).to_contain_text(name)


def test_bubble_click_selects_its_row(page: Page, watch: Watch) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    model = board(page)["frontier"][-1]
    hover_last_frontier_point(page)
    expect(page.locator("#chart .hoverlayer .hovertext")).to_be_visible()  # Plotly saw the hover
    page.mouse.down()
    page.mouse.up()
    row = page.locator(f'#tbody tr[data-model="{model}"]')
    expect(row).to_have_class(re.compile(r"\bselected\b"))
    expect(row).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tbody tr.selected")).to_have_count(1)


def test_methodology_dialog_esc_and_focus(page: Page, watch: Watch, artifacts: Path) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    button = page.get_by_role("button", name="Methodology")
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#methodology")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("How the Score is computed")
    expect(page.locator("#m-example")).to_contain_text("= 69.3 + 9.6 + 2.2 = 81.1")
    expect(dialog).to_contain_text("Batch / RAG offline")
    # each dimension names its sources; the outside ones are links that open a new tab
    links = dialog.locator("p.src a")
    expect(links).to_have_count(3)
    assert links.evaluate_all("ls => ls.map(l => [l.textContent, l.target, l.rel])") == [
        ["Artificial Analysis ↗", "_blank", "noopener noreferrer"],
        ["vllm bench serve ↗", "_blank", "noopener noreferrer"],
        ["llama-benchy ↗", "_blank", "noopener noreferrer"],
    ]
    expect(dialog).to_contain_text("HumanEval/LCB")
    page.screenshot(path=str(artifacts / "methodology.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "methodology-btn"
    button.click()
    page.get_by_role("button", name="Close (Esc)", exact=True).click()
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "methodology-btn"


def test_no_measurement_rows(page: Page, watch: Watch) -> None:
    page.goto("/?suite=v1&preset=reasoning")  # suite v1: 9 builds ran no reasoning bench
    page.wait_for_selector(READY)
    missing = [
        r
        for r in board(page, "?suite=v1&preset=reasoning")["rows"]
        if "no-measurement" in r["flags"]
    ]
    assert len(missing) >= 9
    cells = page.locator("#tbody td.nm")
    expect(cells).to_have_count(len(missing))
    expect(cells.first).to_have_text("no measurement")
    page.goto("/?suite=v1")
    page.wait_for_selector(READY)
    expect(page.locator("#tbody").get_by_text("(8/9 benches)").first).to_be_visible()


def test_a_flagged_bench_marks_its_row(page: Page, watch: Watch) -> None:
    rows = board(page, "?suite=v1&preset=chat")["rows"]  # the probe's run is in suite v1
    flagged = [r["model"] for r in rows if "unreliable" in r["flags"]]
    assert flagged == ["xss-probe"]
    page.goto("/?suite=v1&preset=chat")
    page.wait_for_selector(READY)
    tags = page.locator("#tbody .verdict-tag")
    expect(tags).to_have_count(1)
    expect(tags.first).to_have_text("unreliable")
    expect(tags.first).to_have_attribute("title", re.compile("More than 10 %"))
    row = page.locator("#tbody tr", has=page.locator(".verdict-tag"))
    expect(row.locator("th a")).to_have_attribute("href", "/models/xss-probe?suite=v1&preset=chat")


def test_xss_name_renders_as_text(page: Page, watch: Watch, artifacts: Path) -> None:
    page.goto("/?suite=v1&preset=chat&wq=0&wg=100&we=0")  # throughput only: the probe leads
    page.wait_for_selector(READY)
    expect(page.locator("#tbody tr").first.locator("th a")).to_have_text(XSS)
    hover_last_frontier_point(page)
    expect(page.locator("#chart .hoverlayer .hovertext")).to_contain_text(XSS)
    page.screenshot(path=str(artifacts / "xss-as-text.png"))
    page.get_by_role("button", name="Methodology").click()
    expect(page.locator("#m-body")).to_contain_text(XSS)
    page.keyboard.press("Escape")
    page.goto("/models/xss-probe")
    page.wait_for_selector(READY)
    expect(page.locator("h1")).to_have_text(XSS)
    assert page.locator("img").count() == 0
    assert page.evaluate("document.title").startswith(XSS)


def test_model_page(page: Page, watch: Watch, artifacts: Path) -> None:
    page.goto("/models/qwen-3.6-35b-a3b-fp8?suite=v1")
    page.wait_for_selector(READY)
    expect(page.locator("section.bench")).to_have_count(9)
    expect(page.locator("section.bench[data-bench=reasoning]")).to_contain_text("no measurement")
    chat = page.locator("section.bench[data-bench=chat]")
    expect(chat.locator(".mini-chart .scatterlayer .trace")).to_have_count(1)
    expect(chat).to_contain_text("llama-benchy")
    # big-context is fed by files A (4 prompt sizes) and B (25000 at other concurrencies):
    # one line per prompt size and file, so no line doubles back on itself
    big = page.locator("section.bench[data-bench=big-context] .mini-chart")
    expect(big.locator(".scatterlayer .trace")).to_have_count(5)
    expect(big.locator(".legend")).to_contain_text("25000 prompt · B_concurrency-stress.md")
    expect(page.locator("#facts")).to_contain_text("method: estimated")
    link = page.locator("#quality a").first
    expect(link).to_have_attribute("href", re.compile(r"^https://huggingface\.co/Qwen/"))
    page.screenshot(path=str(artifacts / "model-page.png"), full_page=True)


def test_phone_width(page: Page, watch: Watch, artifacts: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.wait_for_selector(READY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#chart .main-svg").first.bounding_box()
    assert box is not None
    assert box["width"] <= 390
    page.screenshot(path=str(artifacts / "phone-390.png"), full_page=True)


def test_keyboard_sort_and_select(page: Page, watch: Watch) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    sort = page.locator("button.sort[data-key=throughput_tps]")
    sort.focus()
    page.keyboard.press("Enter")
    data = board(page)
    fastest = max(data["rows"], key=lambda r: r["throughput_tps"])["model"]
    expect(page.locator("#tbody tr").first).to_have_attribute("data-model", fastest)
    expect(page.locator("th[aria-sort=descending]")).to_have_count(1)
    page.locator("#tbody tr").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#tbody tr").first).to_have_attribute("aria-selected", "true")


def test_memory_budget_control_and_url_state(page: Page, watch: Watch) -> None:
    page.goto("/")
    page.wait_for_selector(READY)
    page.locator("#budget-box").select_option("rtx-4090")
    expect(page).to_have_url(re.compile(r"max_vram_gb=24\b"))
    fit = board(page, "?max_vram_gb=24")
    assert fit["hidden_over_budget"] > 0
    expect(page.locator("#tbody tr")).to_have_count(len(fit["rows"]))
    expect(page.locator("#budget-note")).to_contain_text(
        f"{fit['hidden_over_budget']} builds over 24 GB hidden"
    )
    page.reload()
    page.wait_for_selector(READY)
    expect(page.locator("#budget-box")).to_have_value("rtx-4090")
    page.locator("#budget-gb").fill("")
    page.locator("#budget-gb").dispatch_event("change")
    expect(page).not_to_have_url(re.compile("max_vram_gb"))
    expect(page.locator("#tbody tr")).to_have_count(len(board(page)["rows"]))


def test_model_page_shows_the_roofline_of_each_closed_bench(page: Page, watch: Watch) -> None:
    page.goto("/models/qwen-3.6-35b-a3b-fp8?suite=v1")
    page.wait_for_selector(READY)
    res = page.request.get("/api/models/qwen-3.6-35b-a3b-fp8?suite=v1")
    assert res.ok
    roof = res.json()["benches"]["chat"]["roofline"]
    assert roof is not None
    shown = page.locator("section.bench[data-bench=chat] .roofline")
    expect(shown).to_contain_text(f"Roofline {round(roof['fraction'] * 100)} %")
    expect(shown).to_contain_text("KV-cache")
    expect(shown).to_have_class(
        re.compile("over") if roof["fraction"] > 1 else re.compile("^roofline$")
    )
