"""Capacity found by `arena bench`'s rate sweep against a server whose capacity is known
(a benchmark, not a test).

The reference server (tests/servers/reference.py) runs in its own process with --slots
concurrent generations, each holding its slot exactly --service seconds; further requests wait
server-side. It finishes at most slots / service requests per second (mu). A rate under mu is
sustainable (queues stay short), one above it is not (the queue grows by rate - mu requests per
second for as long as arrivals last), so the computed truth for a p95-TTFT limit generous next
to the service time is the highest offered rate below mu.

Each sweep runs arena.bench.sweep.run_sweep (one vllm-style open-loop run per rate, gamma
arrivals at --burstiness, max(min_step_prompts, rate x --step-seconds) requests) and takes its
capacity at --limit-ms with arena.capacity.capacity, the rule stored records use. Reported per
seed: the capacity found, the truth, the error in req/s, and the highest achieved rate against
mu. --time-scale shrinks service time, step length and limit together (rates grow by 1/scale):
the queueing is the same, the wall time shorter.

A step lasts a finite time D, so a rate a little above mu still passes: its queue grows for D
seconds only, and the last arrivals wait about (rate - mu) x D / mu. Rates below
mu x (1 + limit / D) can therefore pass the limit; the report prints that bound next to the
error, which is the rate grid's overshoot inside it (none when no grid rate lies between).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import uvloop

from arena.bench.http import Timeouts, make_session
from arena.bench.open import OpenOptions
from arena.bench.prompts import PromptMaker
from arena.bench.sweep import run_sweep, step_prompts
from arena.bench.target import Target
from arena.capacity import capacity
from arena.catalog.types import Bench
from child import child_server

REPO = Path(__file__).resolve().parents[1]

SERVER_CODE = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.servers.reference import RefConfig, ReferenceServer
cfg = RefConfig(ttft=float(sys.argv[2]), slots=int(sys.argv[3]), service=float(sys.argv[4]))
srv = ReferenceServer(cfg)
srv.start()
print(srv.base_url, flush=True)
sys.stdin.read()
srv.stop()
"""


async def sweep_once(url: str, bench: Bench, seed: int) -> list[dict[str, float | int | None]]:
    """One sweep's steps."""
    t = Timeouts(connect=10, first_token=600, between_tokens=600)
    async with make_session(None, t) as session:
        target = Target(session, url + "/chat/completions", "ref-model", "chat", t, PromptMaker())
        out = await run_sweep(
            target, bench, seed, None, OpenOptions(), lambda _r: None, lambda _r, _n: None
        )
    return out.steps


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--slots", type=int, default=2)
    p.add_argument("--service", type=float, default=1.25, help="seconds a request holds a slot")
    p.add_argument("--rates", default="0.5,1.0,1.4,1.5,1.7,2.0,3.0", help="offered req/s")
    p.add_argument("--step-seconds", type=float, default=20.0)
    p.add_argument("--burstiness", type=float, default=0.7)
    p.add_argument("--limit-ms", type=float, default=5000.0)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--time-scale", type=float, default=1.0)
    a = p.parse_args()
    k = a.time_scale
    service, limit = a.service * k, a.limit_ms * k
    rates = tuple(round(float(r) / k, 6) for r in a.rates.split(","))
    mu = a.slots / service
    truth = max((r for r in rates if r < mu), default=None)
    bench = Bench(
        "sweep", "Sweep", "sweep", (16,), 12, range_ratio=0.0, burstiness=a.burstiness,
        request_rates=rates, step_seconds=a.step_seconds * k, min_step_prompts=1,
        ttft_p95_limits_ms=(limit,),
    )  # fmt: skip
    bench = dataclasses.replace(bench, runs=1)
    bound = mu * (1 + limit / 1000 / (a.step_seconds * k))
    print(
        f"reference server in a child process: {a.slots} slots x {service:g} s service "
        f"(mu = {mu:g} req/s), first token 5 ms after a slot frees; sweep of "
        f"{', '.join(f'{r:g}' for r in rates)} req/s, burstiness {a.burstiness:g}, "
        f"{a.step_seconds * k:g} s of arrivals per step "
        f"({', '.join(str(step_prompts(bench, r)) for r in rates)} requests), p95 TTFT limit "
        f"{limit:g} ms; truth = highest offered rate below mu = {truth}; finite-step bound "
        f"mu x (1 + limit / D) = {bound:g} req/s"
    )
    errors = []
    with child_server(SERVER_CODE, str(REPO), "0.005", str(a.slots), str(service)) as url:
        for seed in range(a.seeds):
            t0 = time.perf_counter()
            steps = uvloop.run(sweep_once(url, bench, seed))
            (cap,) = capacity(steps, (limit,))
            found = cap["offered_rps"]
            top = max(float(s["achieved_rps"] or 0) for s in steps)
            err = (float(found) if isinstance(found, int | float) else 0.0) - (truth or 0.0)
            errors.append(err)
            p95s = ", ".join(
                f"{s['offered_rps']:g}:{float(s['ttft_p95_ms'] or 0):.0f}" for s in steps
            )
            print(
                f"seed {seed}: capacity {found} req/s (truth {truth}, error {err:+g} req/s); "
                f"highest achieved {top:.3f} req/s vs mu {mu:g} ({(top / mu - 1) * 100:+.1f} %); "
                f"p95 TTFT ms per rate {p95s}; {time.perf_counter() - t0:.0f} s"
            )
    exact = sum(1 for e in errors if e == 0)
    print(f"capacity equal to the truth in {exact}/{len(errors)} sweeps; errors {errors}")


if __name__ == "__main__":
    main()
