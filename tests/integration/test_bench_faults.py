"""`arena bench` against a misbehaving reference server: every fault is counted with its reason.

Each test runs the real CLI in a subprocess against the real reference server on loopback,
with the smoke profile and tiny TTFT / inter-token gaps so it stays fast.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from arena.bench.http import SSEParser, Timeouts, make_session, payload, stream_request
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    MODEL,
    ArenaCli,
    arena_cli_fixture,
    ref_server_fixture,
    template_db_fixture,
)
from tests.servers.reference import HANG, ReferenceServer

CLOSED = "chat"  # smoke: c = 1 then c = 2, one run -> 3 requests
OPEN = "office-baseline"  # smoke: 4 prompts at 20 req/s
BOTH = f"{CLOSED},{OPEN}"
QUICK_TIMEOUTS = ("--first-token-timeout", "2", "--token-timeout", "0.3")
HEALTHY_TIMEOUTS = ("--first-token-timeout", "2", "--token-timeout", "2")


def run_json(cli: ArenaCli, base_url: str, *args: str) -> dict[str, dict[str, Any]]:
    """`arena bench ... --json` (exit 0 expected): the stored benches of the build, by id."""
    res = cli.bench(base_url, *args, "--json")
    assert res.returncode == 0, res.stderr
    benches: dict[str, dict[str, Any]] = json.loads(res.stdout)["benches"]
    return benches


def run_failed(cli: ArenaCli, base_url: str, *args: str) -> dict[str, dict[str, Any]]:
    """`arena bench ... --json` where benches fail (exit 3): this run's failed attempts, by id,
    after checking that none of them became the build's result."""
    res = cli.bench(base_url, *args, "--json")
    assert res.returncode == 3, res.stderr
    doc = json.loads(res.stdout)
    attempts: dict[str, dict[str, Any]] = doc["failed_attempts"]
    assert not set(attempts) & set(doc["benches"])
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("failed: ")]
    assert [ln.split(":")[1].strip() for ln in lines] == list(attempts), res.stderr
    for rec in attempts.values():
        assert {"failed", "unreliable"} <= set(rec["flags"]), rec["flags"]
    return attempts


def notes_with(rec: dict[str, Any], prefix: str) -> list[str]:
    return [n for n in rec["notes"] if n.startswith(prefix)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_http_500_counts_failures_marks_unreliable_and_goes_on(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.fault = "http500"
    args = arena_cli.bench_args(ref_server.base_url, "--benches", BOTH, *QUICK_TIMEOUTS)
    res = arena_cli.run(*args, "--json")
    assert res.returncode == 3, res.stderr  # a bench failed
    assert "sanity check" in res.stderr  # the failing sanity request is reported, not fatal
    assert arena_cli.stored() == {CLOSED, OPEN}  # the suite went on to the next bench
    for bench, n in ((CLOSED, 3), (OPEN, 4)):
        assert f"failed: {bench}: {n}/{n} requests failed; first reason: HTTP 500" in res.stderr, (
            res.stderr
        )
    shown = json.loads(res.stdout)["failed_attempts"]
    assert arena_cli.show()["benches"].get(CLOSED) is None  # never the build's result
    for bench, n in ((CLOSED, 3), (OPEN, 4)):
        rec = shown[bench]
        assert (rec["completed"], rec["failed"]) == (0, n)
        assert notes_with(rec, "unreliable"), rec["notes"]
        (errors,) = notes_with(rec, "errors: ")
        assert "HTTP 500" in errors
        assert "injected 500" in errors
        assert rec["tps_per_user"] is None


def test_connection_refused_before_start_is_one_line_and_writes_nothing(
    arena_cli: ArenaCli,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    res = arena_cli.bench(url)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert url in lines[0]
    assert "cannot connect" in lines[0]
    assert res.stdout == ""
    assert not arena_cli.has_build()


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full: a new connection never completes its handshake."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(0)
        port = int(srv.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)):  # fills the queue of one
            yield port


def test_a_connect_that_never_completes_fails_at_the_connect_timeout(
    unanswered_port: int, arena_cli: ArenaCli
) -> None:
    async def go(url: str) -> Any:
        t = Timeouts(connect=0.3, first_token=HANG)  # only the connect deadline can end it
        async with make_session(None, t) as s:
            return await stream_request(s, url, payload(MODEL, "chat", "a", 4, True), t)

    res = asyncio.run(go(f"http://127.0.0.1:{unanswered_port}/v1/chat/completions"))
    assert (res.ok, res.error, res.retried) == (False, "timeout connecting (0.3 s)", False)
    url = f"http://127.0.0.1:{unanswered_port}/v1"
    cli = arena_cli.bench(url, "--connect-timeout", "0.3")
    assert cli.returncode == 1
    (line,) = cli.stderr.strip().splitlines()
    assert line.endswith(
        "/models: cannot connect: no connection within the connect timeout (--connect-timeout); "
        "is the host reachable?"
    )
    assert not arena_cli.has_build()


def test_wrong_model_names_the_served_models(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    res = arena_cli.bench(ref_server.base_url, model="no-such-model")
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "'no-such-model'" in lines[0]
    assert f"served models: {MODEL}" in lines[0]
    assert ref_server.stats.requests == 0  # stopped before any generation request
    assert not arena_cli.has_build("no-such-model")


@pytest.mark.parametrize(
    ("fault", "fault_after", "reason"),
    [
        pytest.param("reset", 3, "connection lost", id="reset-mid-stream"),
        pytest.param("stall", 3, "timeout waiting for next token", id="stall-mid-stream"),
        pytest.param("stall", 0, "timeout waiting for first token", id="stall-before-first"),
        # ": ping" comments every 50 ms, no tokens: they must not reset the 0.3 s deadlines
        pytest.param("keepalive", 3, "timeout waiting for next token", id="keepalive-mid-stream"),
        pytest.param("keepalive", 0, "timeout waiting for first token", id="keepalive-first"),
        pytest.param("malformed", 3, "malformed SSE", id="malformed-sse"),
        pytest.param("error_event", 3, "server error in stream", id="error-event"),
    ],
)
def test_mid_stream_fault_on_every_request(
    ref_server: ReferenceServer,
    arena_cli: ArenaCli,
    fault: str,
    fault_after: int,
    reason: str,
) -> None:
    ref_server.config.fault = fault
    ref_server.config.fault_after = fault_after
    # 0.3 s deadlines where the fault needs one to end; 2 s, a hang here, for the rest
    waits = fault in ("stall", "keepalive")
    timeouts = (
        ("--first-token-timeout", "0.3", "--token-timeout", "0.3") if waits else HEALTHY_TIMEOUTS
    )
    # a stalled stream waits an hour, a keepalive one forever: the run ends within the CLI's
    # HANG timeout only by the per-request deadlines, which the errors name
    out = run_failed(arena_cli, ref_server.base_url, "--benches", BOTH, *timeouts)
    assert set(out) == {CLOSED, OPEN}
    for bench, n in ((CLOSED, 3), (OPEN, 4)):
        rec = out[bench]
        assert (rec["completed"], rec["failed"]) == (0, n)
        assert notes_with(rec, "unreliable"), rec["notes"]
        (errors,) = notes_with(rec, "errors: ")
        assert errors.startswith(f"errors: {reason}"), errors


@pytest.mark.parametrize(
    ("fault", "every", "reason", "n_failed"),
    [
        # requests 1 and 2 are the sanity check and the ignore_eos probe; chat with --runs 4
        # sends requests 3..14 (12 requests): every 10th -> 1 fails (8 %), every 5th -> 2 (17 %)
        pytest.param("reset", 10, "connection lost", 1, id="reset-1-of-12"),
        pytest.param("stall", 10, "timeout waiting for next token", 1, id="stall-1-of-12"),
        pytest.param("malformed", 5, "malformed SSE", 2, id="malformed-2-of-12"),
        pytest.param("error_event", 5, "server error in stream", 2, id="error-event-2-of-12"),
    ],
)
def test_partial_faults_unreliable_only_above_ten_percent(
    ref_server: ReferenceServer,
    arena_cli: ArenaCli,
    fault: str,
    every: int,
    reason: str,
    n_failed: int,
) -> None:
    ref_server.config.fault = fault
    ref_server.config.fault_every = every
    # healthy requests must not time out on a loaded machine (a 2 s gap is a hang here), and
    # 10 ms between tokens gives each a 110 ms span: a rate unless the client read it in one go
    ref_server.config.itl = 0.01
    args = ("--benches", CLOSED, "--runs", "4", *HEALTHY_TIMEOUTS)
    above = n_failed / 12 > 0.10  # a failed attempt (exit 3), else the build's result (exit 0)
    out = (run_failed if above else run_json)(arena_cli, ref_server.base_url, *args)
    rec = out[CLOSED]
    last = ref_server.stats.requests  # the bench's 12 requests were the last ones served
    assert last - 12 >= 1  # and the healthy sanity request came before them
    failed = last // every - (last - 12) // every  # multiples of `every` among them
    assert failed == n_failed
    assert (rec["completed"], rec["failed"]) == (12 - failed, failed)
    assert bool(notes_with(rec, "unreliable")) is above, rec["notes"]
    (errors,) = notes_with(rec, "errors: ")
    assert errors.startswith(f"errors: {reason}"), errors
    assert rec["tps_per_user"] is not None  # the healthy requests still give a headline
    assert not notes_with(rec, "suspect")


def test_role_only_first_chunk_is_not_the_first_token(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.ttft = 0.05
    out = run_json(arena_cli, ref_server.base_url, "--benches", BOTH)
    for bench in (CLOSED, OPEN):
        rec = out[bench]
        assert rec["failed"] == 0
        assert 50 - 0.1 <= rec["ttft_p50_ms"] < HANG * 1000, rec["ttft_p50_ms"]

    ref_server.config.ttft = 0.2

    async def measure() -> tuple[dict[str, Any], float | None]:
        url = ref_server.base_url + "/chat/completions"
        body = payload(MODEL, "chat", "Say something", 4, force_length=True)
        async with make_session(None, Timeouts()) as session:
            # what a naive client sees: the first SSE event carries no text
            async with session.post(url, json=body) as resp:
                parser = SSEParser()
                events: list[str] = []
                async for raw in resp.content.iter_any():
                    events += parser.feed(raw)
                    if events:
                        break
                await resp.read()
            first_event = json.loads(events[0])
            res = await stream_request(session, url, body, Timeouts())
        assert res.ok, res.error
        return first_event, res.ttft

    first_event, ttft = asyncio.run(measure())
    # the role-only chunk, sent at once: counting it would make TTFT look near zero
    assert first_event["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert ttft is not None
    assert ttft >= 0.2 - 1e-4  # the server sends the first text 200 ms after the request


def test_token_source_is_reported(ref_server: ReferenceServer, arena_cli: ArenaCli) -> None:
    both = run_json(arena_cli, ref_server.base_url, "--benches", BOTH)
    for bench in (CLOSED, OPEN):
        assert "output tokens counted from usage" in both[bench]["notes"]
        assert not any("from chunks" in n for n in both[bench]["notes"])

    ref_server.config.fault = "no_usage"
    out = run_json(arena_cli, ref_server.base_url, "--benches", BOTH, "--build", "no-usage")
    for bench in (CLOSED, OPEN):
        assert "output tokens counted from chunks" in out[bench]["notes"]
    rec = out[OPEN]
    assert rec["failed"] == 0
    # same seed, same lengths, one chunk per token: chunk counting finds what usage said
    totals = {
        build: arena_cli.distribution(OPEN, build)["total_output_tokens"]
        for build in (MODEL, "no-usage")
    }
    assert totals[MODEL] == totals["no-usage"] > 0


def test_ignore_eos_not_honoured_is_reported(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.honour_ignore_eos = False
    ref_server.config.natural_len = 4
    rec = run_json(arena_cli, ref_server.base_url, "--benches", CLOSED)[CLOSED]
    (note,) = notes_with(rec, "length not forced")
    assert "mean 4 of 12 tokens" in note
    assert rec["failed"] == 0
    assert all(b.get("ignore_eos") for b in ref_server.stats.bodies[1:])  # it was asked for
