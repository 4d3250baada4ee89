"""Open-loop schedule of `arena bench` against the reference server (a benchmark, not a test).

The reference server (tests/servers/reference.py) runs in its own process: the first content token
TTFT after each request, then one every ITL. Each run sends --prompts requests at --rate req/s
(vllm-style gamma arrivals, the last one n / rate after the start) through
arena.bench.open.run_open and reports, over --runs runs:

  clock overhead - the measured duration minus what the requests explain (the last answer's end
                   minus the latest start the sends allow): a lead-in or a slow wind-down shows
                   here. Target: below 50 ms (the integration test only checks its sign).
  TPOT error     - the run's median TPOT against the server's ITL, in %. Target: within 10 %.
  send lateness  - how much later than its schedule each request left, relative to the most
                   punctual one of its run (p50 / max, ms).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
from pathlib import Path
from typing import Any

import uvloop

from arena.bench.http import RequestResult, Timeouts, make_session
from arena.bench.open import Job, OpenOptions, arrival_offsets, run_open
from arena.bench.prompts import PromptMaker
from arena.bench.target import Target
from arena.catalog.types import Bench
from child import child_server

REPO = Path(__file__).resolve().parents[1]
OUTPUT_TOKENS = 12  # the reference server's natural answer length: the open loop does not force

SERVER_CODE = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.servers.reference import RefConfig, ReferenceServer
srv = ReferenceServer(RefConfig(ttft=float(sys.argv[2]), itl=float(sys.argv[3])))
srv.start()
print(srv.base_url, flush=True)
sys.stdin.read()
srv.stop()
"""


Run = tuple[dict[str, Any], list[float]]  # a run's metrics, each request's relative lateness


async def one_run(url: str, n: int, rate: float, seed: int) -> Run:
    """One schedule; its metrics and the offsets each request was sent at."""
    offsets = arrival_offsets(n, rate, 1.0, random.Random(seed))
    jobs = [Job(at, 4, OUTPUT_TOKENS, "a b c d") for at in offsets]
    bench = Bench("o", "O", "open", (4,), OUTPUT_TOKENS, request_rate=rate, num_prompts=n)
    seen: list[RequestResult] = []
    t = Timeouts()
    async with make_session(None, t) as session:
        target = Target(session, url + "/chat/completions", "ref-model", "chat", t, PromptMaker())
        dist, _ = await run_open(target, bench, jobs, seen.append, OpenOptions())
    # results arrive in completion order; pair each with its job by send order
    by_send = sorted(seen, key=lambda r: r.t_send)
    starts = [r.t_send - at for r, at in zip(by_send, sorted(offsets), strict=True)]
    explained = max(r.t_done or r.t_send for r in seen) - min(starts)
    dist["clock_overhead_s"] = dist["duration"] - explained
    return dist, [s - min(starts) for s in starts]


async def measure(url: str, runs: int, n: int, rate: float) -> list[Run]:
    """`runs` schedules one after another (one warm-up first, discarded)."""
    out = []
    for k in range(runs + 1):
        got = await one_run(url, n, rate, seed=k)
        if k:
            out.append(got)
    return out


def main() -> None:
    """Measure, then print one line per figure."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ttft", type=float, default=0.020, help="server TTFT, s")
    ap.add_argument("--itl", type=float, default=0.010, help="server inter-token gap, s")
    ap.add_argument("--rate", type=float, default=10.0, help="requests per second")
    ap.add_argument("--prompts", type=int, default=20, help="requests per run")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    print(__doc__)
    print(
        f"server: TTFT {args.ttft * 1000:g} ms, ITL {args.itl * 1000:g} ms; {args.prompts} "
        f"requests at {args.rate:g} req/s, {args.runs} runs; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}\n"
    )
    with child_server(SERVER_CODE, str(REPO), str(args.ttft), str(args.itl)) as url:
        res = uvloop.run(measure(url, args.runs, args.prompts, args.rate))
    over = [d["clock_overhead_s"] * 1000 for d, _ in res]
    tpot = [(d["median_tpot_ms"] - args.itl * 1000) / (args.itl * 1000) * 100 for d, _ in res]
    late = [x * 1000 for _, lateness in res for x in lateness]
    worst_tpot = max(tpot, key=abs)
    print(f"clock overhead ms  p50 {statistics.median(over):7.3f}  max {max(over):7.3f}  "
          f"target < 50: {'met' if max(over) < 50 else 'NOT met'}")  # fmt: skip
    print(f"TPOT error %       p50 {statistics.median(tpot):+7.3f}  worst {worst_tpot:+7.3f}  "
          f"target within 10: {'met' if abs(worst_tpot) <= 10 else 'NOT met'}")  # fmt: skip
    print(f"send lateness ms   p50 {statistics.median(late):7.3f}  max {max(late):7.3f}")
    print(f"(load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
