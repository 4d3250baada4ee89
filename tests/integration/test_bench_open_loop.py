"""Open loop against the real reference server: output length policy (--ignore-eos), vllm's
ShareGPT filter and the smoke caps, the schedule clock, and a dead server cut short."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from arena.bench import ServerGone
from arena.bench.http import RequestResult, Timeouts, make_session
from arena.bench.open import Job, OpenOptions, arrival_offsets, plan, run_open
from arena.bench.prompts import PromptMaker
from arena.bench.system import local_listener_pids
from arena.bench.target import Target
from arena.catalog.types import Bench
from tests.servers.aio import run_async
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    ArenaCli,
    arena_cli_fixture,
    ref_server_fixture,
    template_db_fixture,
    wait_for,
)
from tests.servers.reference import HANG, RefConfig, ReferenceServer

TIMEOUTS = Timeouts(connect=HANG, first_token=HANG, between_tokens=HANG)


def open_bench(n: int, rate: float, **kw: Any) -> Bench:
    return Bench("o", "O", "open", (8,), 20, request_rate=rate, num_prompts=n, **kw)


def open_bodies(srv: ReferenceServer, n: int) -> list[dict[str, Any]]:
    """The last n request bodies (the open bench's, after the probes)."""
    return srv.stats.bodies[-n:]


# --- finding 7: output length not forced by default -----------------------------------


def test_open_loop_sends_plain_max_tokens_by_default(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.natural_len = 3  # the model "stops" after 3 tokens unless forced
    res = arena_cli.bench(ref_server.base_url, "--benches", "office-baseline")
    assert res.returncode == 0, res.stderr
    bodies = open_bodies(ref_server, 4)
    assert not any("ignore_eos" in b or "min_tokens" in b for b in bodies)
    d = arena_cli.distribution("office-baseline")
    assert d["ignore_eos"] is False
    assert d["total_output_tokens"] == sum(min(b["max_tokens"], 3) for b in bodies)
    notes = arena_cli.show()["benches"]["office-baseline"]["notes"]
    assert any(n.startswith("output length not forced") for n in notes)


def test_ignore_eos_flag_forces_open_loop_length(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.natural_len = 3
    res = arena_cli.bench(ref_server.base_url, "--benches", "office-baseline", "--ignore-eos")
    assert res.returncode == 0, res.stderr
    bodies = open_bodies(ref_server, 4)
    assert all(b["ignore_eos"] is True for b in bodies)
    assert all(b["min_tokens"] == b["max_tokens"] for b in bodies)
    d = arena_cli.distribution("office-baseline")
    assert d["ignore_eos"] is True
    assert d["total_output_tokens"] == sum(b["max_tokens"] for b in bodies)


def test_closed_loop_stays_forced(ref_server: ReferenceServer, arena_cli: ArenaCli) -> None:
    ref_server.config.natural_len = 3
    res = arena_cli.bench(ref_server.base_url, "--benches", "chat")
    assert res.returncode == 0, res.stderr
    bodies = open_bodies(ref_server, 3)
    assert all(b["ignore_eos"] is True for b in bodies)


# --- finding 9: ShareGPT filter and caps ------------------------------------------------


def conv(q_words: int, a_words: int, turns: int = 2) -> dict[str, Any]:
    q = " ".join(f"q{i}" for i in range(q_words))
    a = " ".join(f"a{i}" for i in range(a_words))
    msgs = [{"from": "human", "value": q}, {"from": "gpt", "value": a}][:turns]
    return {"id": f"{q_words}-{a_words}", "conversations": msgs}


def sharegpt_file(tmp_path: Path) -> Path:
    data = [
        conv(2, 50),  # prompt < 4 tokens
        conv(20, 3),  # answer < 4 tokens
        conv(1100, 10),  # prompt > 1024
        conv(1000, 1100),  # prompt + answer > 2048
        conv(30, 1, turns=1),  # one turn only
        conv(10, 20),
        conv(40, 200),
        conv(100, 30),
        conv(6, 6),
    ]
    path = tmp_path / "sharegpt.json"
    path.write_text(json.dumps(data))
    return path


KEPT = {(10, 20), (40, 200), (100, 30), (6, 6)}


def plan_sharegpt(srv: ReferenceServer, path: Path, n: int, opts: OpenOptions) -> list[Job]:
    bench = Bench(
        "sharegpt", "S", "open", (), 0, request_rate=5.0, num_prompts=n, dataset="sharegpt"
    )

    async def go() -> list[Job]:
        async with make_session(None, TIMEOUTS) as sess:
            pm = PromptMaker(model="ref-model")
            await pm.calibrate(sess, srv.base_url.removesuffix("/v1"), 1)
            url = srv.base_url + "/chat/completions"
            target = Target(sess, url, "ref-model", "chat", TIMEOUTS, pm)
            jobs, _ = await plan(target, bench, 3, path, opts)
            return jobs

    return run_async(go())


def test_sharegpt_file_is_pruned_like_vllm_with_tokenize_counts(
    ref_server: ReferenceServer, tmp_path: Path
) -> None:
    jobs = plan_sharegpt(ref_server, sharegpt_file(tmp_path), 8, OpenOptions())
    assert len(jobs) == 8  # 4 kept, oversampled to 8
    assert {(j.prompt_tokens, j.output_tokens) for j in jobs} == KEPT


def test_sharegpt_lengths_are_capped_by_the_smoke_caps(
    ref_server: ReferenceServer, tmp_path: Path
) -> None:
    opts = OpenOptions(max_prompt_tokens=48, max_output_tokens=12)
    jobs = plan_sharegpt(ref_server, sharegpt_file(tmp_path), 6, opts)
    assert {(j.prompt_tokens, j.output_tokens) for j in jobs} == {(10, 12), (40, 12), (6, 6)}


def test_smoke_sharegpt_run_stays_tiny(
    ref_server: ReferenceServer, arena_cli: ArenaCli, tmp_path: Path
) -> None:
    path = sharegpt_file(tmp_path)
    args = ("--benches", "sharegpt", "--dataset", f"sharegpt={path}", "--ignore-eos")
    res = arena_cli.bench(ref_server.base_url, *args)
    assert res.returncode == 0, res.stderr
    d = arena_cli.distribution("sharegpt")
    assert d["total_output_tokens"] <= 4 * 12
    assert all(b["max_tokens"] <= 12 for b in open_bodies(ref_server, 4))
    assert d["job_caps"] == {"max_prompt_tokens": 48, "max_output_tokens": 12}
    notes = arena_cli.show()["benches"]["sharegpt"]["notes"]
    assert any("vllm's filter kept 3 of" in n for n in notes), notes


def test_smoke_synthetic_sharegpt_is_capped(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    res = arena_cli.bench(ref_server.base_url, "--benches", "sharegpt", "--ignore-eos")
    assert res.returncode == 0, res.stderr
    d = arena_cli.distribution("sharegpt")
    assert d["total_output_tokens"] <= 4 * 12
    assert d["total_input_tokens"] <= 4 * 48


# --- finding 8: the duration clock starts at the scheduled start ---------------------------


def test_duration_starts_at_the_schedule_start() -> None:
    # How little the duration exceeds the schedule (no lead-in) is a figure of
    # benchmarks/bench_open_loop.py; here the bounds that hold however loaded the machine.
    n, rate = 4, 10.0
    offsets = arrival_offsets(n, rate, 1.0, random.Random(5))
    jobs = [Job(at, 4, 5, "a b c d") for at in offsets]
    seen: list[RequestResult] = []
    with ReferenceServer(RefConfig(ttft=0.005, itl=0.001)) as srv:

        async def go() -> tuple[dict[str, Any], float]:
            async with make_session(None, TIMEOUTS) as sess:
                url = srv.base_url + "/chat/completions"
                target = Target(sess, url, "ref-model", "chat", TIMEOUTS, PromptMaker())
                t0 = time.perf_counter()
                dist, _ = await run_open(
                    target, open_bench(n, rate), jobs, seen.append, OpenOptions()
                )
                return dist, time.perf_counter() - t0

        dist, wall = run_async(go())
    assert offsets[-1] == pytest.approx(n / rate)
    assert len(seen) == n
    assert dist["duration"] >= n / rate  # the last request leaves n / rate after the start
    # the clock starts no later than the schedule let a request leave, and ends after the last
    # (1 ms: uvloop's loop clock, which times the sleeps, ticks in milliseconds)
    by_send = sorted(seen, key=lambda r: r.t_send)
    start_at_latest = min(r.t_send - at for r, at in zip(by_send, sorted(offsets), strict=True))
    assert dist["duration"] >= max(r.t_done or 0 for r in seen) - start_at_latest - 1e-3
    assert dist["duration"] <= wall


# --- finding 11: a dead server stops the schedule early ------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refusals_in_a_row_cancel_the_schedule_and_raise_server_gone() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1/chat/completions"
    # five arrivals at once, the rest an hour later: only cancelling ends the run within HANG
    n = 100
    jobs = [Job(0.0 if i < 5 else 3600.0 + i, 4, 5, "a b c d") for i in range(n)]
    seen: list[str] = []

    async def go() -> None:
        async with make_session(None, TIMEOUTS) as sess:
            target = Target(sess, url, "ref-model", "chat", TIMEOUTS, PromptMaker())
            async with asyncio.timeout(HANG):
                await run_open(
                    target,
                    open_bench(n, 10.0),
                    jobs,
                    lambda r: seen.append(r.error or ""),
                    OpenOptions(),
                )

    with pytest.raises(ServerGone, match="refused 5 requests in a row") as info:
        run_async(go())
    assert url in str(info.value)
    assert len(seen) == 5
    assert all(e.startswith("connection refused") for e in seen)


def test_cli_stops_an_open_bench_on_a_dead_server_with_resume_hint(
    ref_server: ReferenceServer, arena_cli: ArenaCli, tmp_path: Path
) -> None:
    """The server dies right after the plan: refusals end the bench in seconds, not minutes."""
    bench_file = tmp_path / "slow.yaml"
    bench_file.write_text(
        "- id: trickle\n  title: Trickle\n  mode: open\n  output_tokens: 4\n"
        "  prompt_tokens: [8]\n  request_rate: 0.5\n  num_prompts: 600\n"
    )
    args = arena_cli.bench_args(ref_server.base_url, "--bench-file", str(bench_file))
    args = [a for a in args if a != "smoke"]
    args[args.index("--profile") + 1 : args.index("--profile") + 1] = ["full"]
    with arena_cli.popen(*args) as proc:
        n = ref_server.stats.requests
        # probes done: the schedule is running (1,200 s if not cut short)
        wait_for(lambda: ref_server.stats.requests > n + 1, HANG, "the schedule to start")
        ref_server.stop()
        _, err = proc.communicate(timeout=HANG)  # refusals end it: 5 arrivals, 2 s apart
    assert proc.returncode == 4, err  # the server went away during the run
    assert "in a row" in err
    assert "--resume" in err


# --- finding 13: the server's own processes, for per-process VRAM ---------------------------


def test_listener_pids_find_the_server_process(ref_server: ReferenceServer) -> None:
    assert local_listener_pids(ref_server.port) == {os.getpid()}
    assert local_listener_pids(free_port()) == set()
