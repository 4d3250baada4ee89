"""One real server (uvicorn in a thread) and one headless Chromium for the whole e2e session."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Page, Request

from arena.dataset import open_store
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance
from arena.verdicts import Flag
from arena.web import create_app
from tests.v2_data import add_v2_runs

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
XSS = "<img src=x onerror=alert(1)>"


def free_port() -> int:
    """A port the OS says is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(db: str) -> None:
    """Bundled data plus one build whose name is an HTML injection attempt (fastest on chat; its
    chat result lost 40 of 100 requests, so it is flagged unreliable)."""
    store = open_store(db)
    store.put_build(
        BuildInfo(
            id="xss-probe",
            name=XSS,
            base_model="probe/xss",
            precision="bf16",
            hardware_id="dgx-spark",
            params_total_b=1.0,
            vram_gb=2.0,
            vram_method="manual",
            run_date="2026-01-01",
        ),
        HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified"),
        [
            BenchRecord(
                "chat",
                500.0,
                900.0,
                None,
                None,
                80.0,
                2.0,
                Provenance("e2e-test"),
                completed=60,
                failed=40,
                flags=(Flag.UNRELIABLE,),
            )
        ],
    )


def serve(db: str) -> Iterator[str]:
    """The real app over `db` on 127.0.0.1:<free port> in a background thread, until closed."""
    port = free_port()
    app = create_app(db)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # only a hang, however loaded the machine
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the bundled data plus the XSS probe build."""
    db = str(tmp_path_factory.mktemp("e2e") / "a.db")
    seed(db)
    yield from serve(db)


@pytest.fixture(scope="session")
def v2_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second app: the bundled v1 and v2 data plus the suite v2 runs of tests/v2_data.py
    (power, a rate sweep, a suspect answer holding HTML)."""
    db = str(tmp_path_factory.mktemp("e2e-v2") / "a.db")
    add_v2_runs(open_store(db))
    yield from serve(db)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright resolves page.goto('/...') against this."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, offline-friendly flags; never `playwright install`."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class Watch:
    """Console errors, page errors, alert dialogs and off-host requests seen by one page."""

    def __init__(self, page: Page, origin: str) -> None:
        self.errors: list[str] = []
        self.off_host: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("request", lambda req: self._request(req, origin))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            self.errors.append(f"{msg.type}: {msg.text}")

    def _request(self, req: Request, origin: str) -> None:
        if not (req.url.startswith(origin + "/") or req.url.startswith("data:")):
            self.off_host.append(req.url)


@pytest.fixture
def watch(page: Page, live_server: str) -> Iterator[Watch]:
    """Every e2e test also asserts: no console errors, no requests off-host, no alert()."""
    w = Watch(page, live_server)
    yield w
    assert w.errors == []
    assert w.off_host == []
    assert w.dialogs == []


@pytest.fixture
def v2_watch(page: Page, v2_server: str) -> Iterator[Watch]:
    """The same checks for a page of the v2 server."""
    w = Watch(page, v2_server)
    yield w
    assert w.errors == []
    assert w.off_host == []
    assert w.dialogs == []
