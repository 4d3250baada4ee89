"""A run submitted over HTTP to a writable board, its build named like a script tag, shows as
text on the leaderboard and on its page and never runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from arena.dataset import open_store, to_bundle
from arena.store.board import add_token
from arena.web import create_app
from tests.e2e.conftest import Watch, free_port
from tests.unit.store.test_board import bundle, changed

SCRIPT_NAME = "<script>alert(1)</script>"
READY = "body[data-ready]"


@pytest.fixture(scope="module")
def board_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A writable board over the bundled data with one run posted by a host, as a box does."""
    import threading
    import time

    import uvicorn

    store = open_store(str(tmp_path_factory.mktemp("board") / "a.db"))
    token = add_token(store, "spark-01")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store=store, writable=True), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # only a hang, however loaded the machine
    while not server.started:
        assert time.monotonic() < deadline
        assert thread.is_alive()
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    b = changed(bundle("xss-run", 0))
    build = dataclasses.replace(b.build, id="submitted-script", name=SCRIPT_NAME)
    answer = httpx.post(
        f"{url}/api/runs",
        json=to_bundle(dataclasses.replace(b, build=build)),
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert answer.status_code == 201, answer.text
    yield url
    server.should_exit = True
    thread.join(timeout=30)


def test_a_submitted_script_name_renders_as_text(
    page: Page, board_url: str, artifacts: Path
) -> None:
    watch = Watch(page, board_url)
    page.goto(f"{board_url}/?suite=v2")
    page.wait_for_selector(READY)
    row = page.locator("#tbody tr[data-model=submitted-script]")
    expect(row.locator("th a")).to_have_text(SCRIPT_NAME)
    page.screenshot(path=str(artifacts / "submitted-script-as-text.png"))
    page.goto(f"{board_url}/models/submitted-script")
    page.wait_for_selector(READY)
    expect(page.locator("h1")).to_have_text(SCRIPT_NAME)
    assert page.evaluate("document.title").startswith(SCRIPT_NAME)
    inline = page.evaluate("[...document.scripts].filter(s => !s.src).length")
    assert inline == 0
    assert watch.dialogs == []
    assert watch.errors == []
    assert watch.off_host == []


def test_the_docs_of_a_writable_board_list_the_write_route_and_the_schema(
    page: Page, board_url: str
) -> None:
    watch = Watch(page, board_url)
    page.goto(f"{board_url}/docs")
    page.wait_for_selector(READY)
    main = page.locator("#endpoints")
    expect(main).to_contain_text("POST /api/runs")
    expect(main).to_contain_text("GET /api/schema/arena-run-1.json")
    expect(page.locator("header a[href='/api/schema/arena-run-1.json']")).to_have_count(1)
    schema = page.request.get(f"{board_url}/api/schema/arena-run-1.json").json()
    assert schema["title"] == "arena-run/1"
    assert watch.errors == []
    assert watch.off_host == []
