"""Memory of `arena bench`'s engine holding 1,000 concurrent streams (a benchmark, not a test).

The reference server (tests/servers/reference.py) runs in its own process (fd limit raised) with
slow streams: first token after --ttft, then one token every --itl, --tokens tokens, so every
stream stays open for several seconds. The client (this process, uvloop, one aiohttp session with
no connection cap) starts --streams stream_request calls at once through the engine's own
make_session/payload/stream_request. RSS is VmRSS from /proc/self/status: once before the
session exists (imports done), sampled every 20 ms while streams run, and VmHWM (the kernel's
peak) at the end. The window in which all streams were open at once (after the last first token,
before the first stream ended) is found from the engine's own timestamps afterwards, and the
largest RSS sampled inside it is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvloop

from arena.bench.http import Timeouts, make_session, payload, stream_request
from child import child_server

REPO = Path(__file__).resolve().parents[1]
MODEL = "ref-model"

SERVER_CODE = """
import resource, sys
sys.path.insert(0, sys.argv[1])
from tests.servers.reference import RefConfig, ReferenceServer
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
srv = ReferenceServer(RefConfig(ttft=float(sys.argv[2]), itl=float(sys.argv[3])))
srv.start()
print(srv.base_url, flush=True)
sys.stdin.read()
"""


@contextmanager
def reference_server(ttft: float, itl: float) -> Iterator[str]:
    """The reference server in a child process; yields its /v1 base URL."""
    with child_server(SERVER_CODE, str(REPO), str(ttft), str(itl)) as url:
        yield url


def status_kb(field: str) -> int:
    """A kB field of /proc/self/status (VmRSS, VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


async def hold(url: str, n: int, tokens: int) -> dict[str, Any]:
    """Run n streams at once; RSS before, sampled during, and in the all-open window."""
    gc.collect()
    before = status_kb("VmRSS")
    timeouts = Timeouts(connect=30.0)
    samples: list[tuple[float, int]] = []
    async with make_session(None, timeouts) as session:
        after_session = status_kb("VmRSS")
        bodies = [payload(MODEL, "chat", f"stream {i} please", tokens, True) for i in range(n)]
        tasks = [
            asyncio.create_task(stream_request(session, url + "/chat/completions", b, timeouts))
            for b in bodies
        ]
        t0 = time.perf_counter()
        while not all(t.done() for t in tasks):
            await asyncio.sleep(0.02)
            samples.append((time.perf_counter(), status_kb("VmRSS")))
        wall = time.perf_counter() - t0
        results = [t.result() for t in tasks]
    ok = [r for r in results if r.ok]
    # the window in which every stream was open: after the last first token, before the first end
    lo = max((r.t_first for r in ok if r.t_first), default=0.0)
    hi = min((r.t_done for r in ok if r.t_done), default=0.0)
    in_window = [rss for t, rss in samples if lo <= t <= hi] if len(ok) == n else []
    return {
        "before": before, "after_session": after_session,
        "peak_sampled": max(rss for _, rss in samples), "hwm": status_kb("VmHWM"),
        "all_open_rss": max(in_window, default=0), "window_s": max(0.0, hi - lo),
        "ok": len(ok), "failed": n - len(ok), "wall": wall,
        "error_text": next((r.error or "" for r in results if not r.ok), ""),
    }  # fmt: skip


def main() -> None:
    """Raise the fd limit, start the server, hold the streams, print RSS figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--ttft", type=float, default=1.0, help="server TTFT, s")
    ap.add_argument("--itl", type=float, default=0.25, help="server inter-token gap, s")
    ap.add_argument("--tokens", type=int, default=24)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.streams + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.streams + 1000), hard))
    print(__doc__)
    print(f"{args.streams} streams, server TTFT {args.ttft:g} s, ITL {args.itl:g} s, "
          f"{args.tokens} tokens each (~{args.ttft + args.itl * args.tokens:.0f} s per stream); "
          f"fd limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}; "
          f"load average {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    with reference_server(args.ttft, args.itl) as url:
        m = uvloop.run(hold(url, args.streams, args.tokens))
    n = args.streams
    mb = 1024.0
    print(
        f"streams completed / failed: {m['ok']:.0f} / {m['failed']:.0f}"
        + (f"  (first failure: {m['error_text']})" if m["failed"] else "")
    )
    window = m["window_s"]
    print(
        f"all {n} open at once (last first token before first end): "
        + (f"yes, for {window:.1f} s" if m["all_open_rss"] else "NO")
    )
    print(f"RSS before (imports done, no session):   {m['before'] / mb:7.1f} MiB")
    print(f"RSS with the session created:            {m['after_session'] / mb:7.1f} MiB")
    print(f"RSS with all {n} streams open (max):   {m['all_open_rss'] / mb:7.1f} MiB")
    print(f"RSS peak, sampled every 20 ms:           {m['peak_sampled'] / mb:7.1f} MiB")
    print(f"VmHWM (kernel peak RSS):                 {m['hwm'] / mb:7.1f} MiB")
    delta = m["hwm"] - m["before"]
    print(f"peak - before: {delta / mb:.1f} MiB = {delta / n:.1f} KiB per stream "
          f"(wall {m['wall']:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
