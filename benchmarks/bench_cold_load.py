"""Cold page load to chart drawn, beside the bare-bundle floor (a benchmark script, not a test).

What runs: `arena serve` as a subprocess on a temp store holding the bundled data, and headless
Chromium (/usr/bin/chromium via playwright). Each repetition opens a fresh browser context
(empty cache, new connections) and, alternating, navigates to
  page  - the leaderboard at / ; the time is the page's `chart-drawn` performance mark, set by
          chart.js when Plotly has drawn the chart for the first time (`#chart[data-drawn]`),
          measured from navigation start (performance.timeOrigin);
  floor - a bare page served by a second local server (http.server) that loads the same
          /static/plotly.min.js from `arena serve` and draws a 23-point scatter: what any page
          drawing with this bundle pays before doing anything of its own.
Bytes are Chromium's encoded (on-the-wire) lengths of every response, from the DevTools
protocol (Network.loadingFinished), summed per navigation. One navigation to each is made
before the timed ones and not counted, so the server's first-hit ranking and the gzip of the
bundle (both computed once per process) do not land in the first repetition.
Target from issue 12: page under 1 s here.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from arena.dataset import open_store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
START_TIMEOUT_S = 120.0  # only a hang; a loaded box starts the server in a few seconds

FLOOR_HTML = """<!doctype html><html><body><div id="g" style="width:800px;height:500px"></div>
<script src="%s/static/plotly.min.js"></script><script src="floor.js"></script></body></html>"""
FLOOR_JS = """const xs = [...Array(23).keys()];
Plotly.newPlot("g", [{x: xs, y: xs.map(i => i * i), mode: "markers", type: "scatter"}])
  .then(() => { performance.mark("chart-drawn"); document.body.dataset.ready = "1"; });"""


@dataclass
class Load:
    """One navigation: milliseconds to the chart and bytes per response URL."""

    chart_ms: float
    table_ms: float | None
    bytes_by_url: dict[str, int] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        """Everything the navigation transferred."""
        return sum(self.bytes_by_url.values())

    def plotly_bytes(self) -> int:
        """What the Plotly bundle took of it."""
        return sum(n for u, n in self.bytes_by_url.items() if u.endswith("/plotly.min.js"))


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def arena_serve(db: str) -> Iterator[str]:
    """`arena serve` on `db` in a subprocess until the block ends."""
    port = free_port()
    cmd = [sys.executable, "-m", "arena", "serve", "--port", str(port), "--db", db]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"arena serve exited with {proc.returncode}: {err[-2000:]}")
            try:
                if httpx.get(base + "/api/summary", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"arena serve did not answer within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing."""


@contextmanager
def floor_page(base: str) -> Iterator[str]:
    """The bare page (its own origin) that loads the bundle from `base` and draws a scatter."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "floor.html").write_text(FLOOR_HTML % base)
        (Path(tmp) / "floor.js").write_text(FLOOR_JS)
        handler = functools.partial(QuietHandler, directory=tmp)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/floor.html"
        finally:
            httpd.shutdown()
            httpd.server_close()


def cold_load(browser: Any, url: str, ready: str) -> Load:
    """One navigation in a fresh context; waits for `ready`, reads the marks and the bytes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        urls: dict[str, str] = {}
        sizes: dict[str, int] = {}

        def received(e: dict[str, Any]) -> None:
            urls[e["requestId"]] = e["response"]["url"]

        def finished(e: dict[str, Any]) -> None:
            sizes[e["requestId"]] = int(e["encodedDataLength"])

        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        page.goto(url)
        page.wait_for_selector(ready, timeout=START_TIMEOUT_S * 1000)
        marks = page.evaluate(
            "['chart-drawn', 'table-drawn'].map((n) => {"
            " const m = performance.getEntriesByName(n)[0]; return m ? m.startTime : null; })"
        )
        page.wait_for_load_state("networkidle")
        by_url: dict[str, int] = {}
        for rid, n in sizes.items():
            u = urls.get(rid, rid)
            by_url[u] = by_url.get(u, 0) + n
        return Load(float(marks[0]), marks[1], by_url)
    finally:
        context.close()


def pct(values: list[float], q: float) -> float:
    """q-th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def kb(n: float) -> str:
    """Bytes as kB (1000) with one decimal."""
    return f"{n / 1000:,.1f} kB"


def main() -> None:
    """Serve, warm up once, then alternate cold page and floor navigations; print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="cold navigations of each kind")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bundled.db")
        open_store(db).close()  # the bundled v1 + v2 data
        with arena_serve(db) as base, floor_page(base) as floor, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page_ready, floor_ready = "#chart[data-drawn]", "body[data-ready]"
            cold_load(browser, base + "/", page_ready)  # warm-up: server caches, not counted
            cold_load(browser, floor, floor_ready)
            pages: list[Load] = []
            floors: list[Load] = []
            for _ in range(args.runs):
                pages.append(cold_load(browser, base + "/", page_ready))
                floors.append(cold_load(browser, floor, floor_ready))
            browser.close()
    cores = os.cpu_count()
    load = os.getloadavg()[0]
    print("cold navigation -> chart drawn, headless Chromium, `arena serve` on the bundled data;"
          f" {args.runs} fresh contexts each, alternating;"
          f" {cores} cores, 1-min load average {load:.2f}")  # fmt: skip
    rows = [("page (/)", pages), ("floor (bare)", floors)]
    for name, loads in rows:
        ms = [x.chart_ms for x in loads]
        print(f"  {name:<13} median {statistics.median(ms):7.0f} ms   p90 {pct(ms, 90):7.0f} ms"
              f"   min {min(ms):6.0f} ms   max {max(ms):6.0f} ms")  # fmt: skip
    page_ms = [x.chart_ms for x in pages]
    floor_ms = [x.chart_ms for x in floors]
    table = [x.table_ms for x in pages if x.table_ms is not None]
    if table:
        print(f"  page table drawn (mark table-drawn): median {statistics.median(table):.0f} ms")
    ratio = statistics.median(page_ms) / statistics.median(floor_ms)
    print(f"  ratio page / floor: median {ratio:.2f}"
          f"   p90 {pct(page_ms, 90) / pct(floor_ms, 90):.2f}")  # fmt: skip
    p, f = pages[-1], floors[-1]
    print(f"  bytes on the wire per cold navigation: page {kb(p.total_bytes)} in"
          f" {len(p.bytes_by_url)} responses (Plotly bundle {kb(p.plotly_bytes())});"
          f" floor {kb(f.total_bytes)} (Plotly bundle {kb(f.plotly_bytes())})")  # fmt: skip
    print("  target (issue 12): page under 1000 ms")


if __name__ == "__main__":
    main()
