"""Figures for `arena serve` (a benchmark script, not a test).

1. GET /api/leaderboard latency, p50/p95, over real HTTP (uvicorn on 127.0.0.1, one keep-alive
   httpx client, sequential requests) for two stores: the bundled dataset (23 builds) and
   1,000 synthetic builds x 9 benches (cloned from a fully measured real build, tok/s, size and
   quality scaled at random with a fixed seed). Reported separately:
     first hit - each of the 20 preset x bucket views requested once after start (ranks them)
     repeat    - --requests more requests cycling over those views (served from the cache)
     custom    - requests with fresh custom weights each time (never cached: ranks every time)
2. Navigation -> chart drawn in headless Chromium (/usr/bin/chromium): performance.now() at
   the page's `chart-drawn` mark (set after Plotly resolves), cold (new browser context, empty
   cache) and warm (reload), median of --runs; also the `table-drawn` mark (the table does not
   wait for the Plotly bundle, which loads async). Beside it, the floor: a bare page
   (served from a temp dir by http.server) that loads the same /static/plotly.min.js from the
   Arena server and draws a 23-point scatter - what any page drawing with that bundle pays.
   benchmarks/bench_cold_load.py measures the cold case alone against `arena serve`.
Target from the issue: p95 < 25 ms (API) and < 1 s (chart).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import random
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from arena.catalog import load_catalog
from arena.dataset import load_bundled, open_store
from arena.records import BenchRecord, BuildInfo, Dataset
from arena.store import Store
from arena.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


def synthetic(n: int, seed: int = 7) -> Dataset:
    """n builds, each with all 9 benches, cloned from the bundled data with random scaling."""
    real = load_bundled()
    full = [(b, rs) for b, rs in real.builds if len(rs) == len(load_catalog().benches)]
    rng = random.Random(seed)
    builds: list[tuple[BuildInfo, list[BenchRecord]]] = []
    for i in range(n):
        base, results = rng.choice(full)
        k = rng.uniform(0.2, 3.0)
        build = dataclasses.replace(
            base, id=f"synthetic-{i:04d}", name=f"Synthetic {i:04d} · {base.precision}",
            params_total_b=round(rng.uniform(0.5, 200.0), 1),
            vram_gb=round(rng.uniform(1.0, 120.0), 1),
        )  # fmt: skip
        scaled = [
            dataclasses.replace(r, tps_per_user=r.tps_per_user * k if r.tps_per_user else None)
            for r in results
        ]
        builds.append((build, scaled))
    return Dataset("synthetic", None, None, None, real.hardware, real.base_models, real.quality,
                   builds)  # fmt: skip


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: str) -> Iterator[str]:
    """The real app on uvicorn in a thread, for the duration of the block."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def pct(values: list[float], q: float) -> float:
    """q-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed_get(client: httpx.Client, url: str) -> float:
    """Seconds for one GET including reading the body; fails loudly on non-200."""
    t0 = time.perf_counter()
    res = client.get(url)
    res.read()
    elapsed = time.perf_counter() - t0
    res.raise_for_status()
    return elapsed


def api_latency(base: str, requests: int) -> dict[str, list[float]]:
    """First-hit, repeat and custom-weight latencies of /api/leaderboard."""
    cat = load_catalog()
    views = [f"/api/leaderboard?preset={p}&bucket={b}" for p in cat.presets for b in cat.buckets]
    out: dict[str, list[float]] = {"first hit": [], "repeat": [], "custom": []}
    with httpx.Client(base_url=base, timeout=30) as client:
        out["first hit"] = [timed_get(client, v) for v in views]
        out["repeat"] = [timed_get(client, views[i % len(views)]) for i in range(requests)]
        for i in range(max(20, requests // 10)):
            q = 10 + i % 80
            out["custom"].append(timed_get(client, f"/api/leaderboard?wq={q}&wg={90 - q}&we=10"))
    return out


def chart_time(base: str, runs: int) -> dict[str, list[float]]:
    """Milliseconds from navigation start to the chart-drawn mark, cold and warm."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"cold": [], "warm": [], "cold table": [], "warm table": []}
    mark = "performance.getEntriesByName('chart-drawn')[0].startTime"
    table = "performance.getEntriesByName('table-drawn')[0].startTime"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready]")
            out["cold"].append(page.evaluate(mark))
            out["cold table"].append(page.evaluate(table))
            page.reload()
            page.wait_for_selector("body[data-ready]")
            out["warm"].append(page.evaluate(mark))
            out["warm table"].append(page.evaluate(table))
            context.close()
        browser.close()
    return out


FLOOR_HTML = """<!doctype html><html><body><div id="g" style="width:800px;height:500px"></div>
<script src="%s/static/plotly.min.js"></script><script src="floor.js"></script></body></html>"""
FLOOR_JS = """const xs = [...Array(23).keys()];
Plotly.newPlot("g", [{x: xs, y: xs.map(i => i * i), mode: "markers", type: "scatter"}])
  .then(() => { performance.mark("chart-drawn"); document.body.dataset.ready = "1"; });"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


def floor_time(base: str, runs: int) -> list[float]:
    """Milliseconds from navigation to a bare Plotly scatter drawn, cold (new context)."""
    from playwright.sync_api import sync_playwright

    out: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "floor.html").write_text(FLOOR_HTML % base)
        (Path(tmp) / "floor.js").write_text(FLOOR_JS)
        handler = functools.partial(QuietHandler, directory=tmp)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/floor.html"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_selector("body[data-ready]")
                    out.append(page.evaluate("performance.getEntriesByName('chart-drawn')[0]"
                                             ".startTime"))  # fmt: skip
                    context.close()
                browser.close()
        finally:
            httpd.shutdown()
            httpd.server_close()
    return out


def report(label: str, times: list[float]) -> None:
    """One line: count, p50, p95, max in ms."""
    print(f"  {label:<10} n={len(times):<4} p50 {pct(times, 50):7.2f} ms   "
          f"p95 {pct(times, 95):7.2f} ms   max {pct(times, 100):7.2f} ms")  # fmt: skip


def main() -> None:
    """Build both stores, serve each, measure, print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400, help="repeat requests per store")
    ap.add_argument("--builds", type=int, default=1000, help="synthetic builds")
    ap.add_argument("--runs", type=int, default=5, help="browser navigations (cold + warm)")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium figure")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundled = str(Path(tmp) / "bundled.db")
        open_store(bundled)
        big = str(Path(tmp) / "synthetic.db")
        t0 = time.perf_counter()
        Store.open(big).load(synthetic(args.builds))
        print(f"synthetic store: {args.builds} builds x 9 benches written in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        for label, db in (("bundled (23 builds)", bundled), (f"{args.builds} synthetic", big)):
            with serving(db) as base:
                print(f"GET /api/leaderboard, {label}, over HTTP to uvicorn on 127.0.0.1:")
                for name, times in api_latency(base, args.requests).items():
                    report(name, times)
                if not args.no_browser and db == bundled:
                    print("navigation -> chart drawn, headless Chromium, bundled data:")
                    marks = chart_time(base, args.runs)
                    marks["cold floor"] = floor_time(base, args.runs)
                    for name, ms in marks.items():
                        print(f"  {name:<10} n={len(ms)}  median {statistics.median(ms):6.0f} ms"
                              f"   max {max(ms):6.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
