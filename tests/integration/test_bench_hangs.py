"""`arena bench` never hangs or hides a failure: servers that never answer or stall before the
first token end within the user's timeouts, Ctrl-C at start-up is one line and exit 130, a base
URL without /v1 gets a hint, and queued requests give TTFT but no prefill rate."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from arena.bench.sanity import SANITY_PROMPT
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    ArenaCli,
    arena_cli_fixture,
    ref_server_fixture,
    template_db_fixture,
    wait_for,
)
from tests.servers.reference import HANG, RefConfig, ReferenceServer
from tests.servers.silent import SilentServer


def test_a_server_that_never_answers_fails_within_the_timeouts(arena_cli: ArenaCli) -> None:
    with SilentServer() as srv:
        t0 = time.monotonic()
        res = arena_cli.bench(srv.base_url, "--connect-timeout", "1", "--first-token-timeout", "2")
        took = time.monotonic() - t0
        assert srv.accepted >= 1  # it connected: only the answer never came
    assert res.returncode == 1, res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert line.endswith(
        "/models: no answer within 3 s (--connect-timeout 1 + --first-token-timeout 2); "
        "is it an OpenAI-compatible server?"
    ), line
    # bounds only the hang (it waited forever): minutes of slack for start-up on a loaded box
    assert 3 <= took < 3 + 120, took
    assert not arena_cli.has_build()


def test_a_stream_stalled_before_its_first_token_ends_in_seconds(arena_cli: ArenaCli) -> None:
    # No /tokenize, so prompt lengths are calibrated with a generation request, which stalls
    # like every other: calibration, sanity question, ignore_eos probe and the bench's two
    # batches (smoke chat: 1 request, then 2 together) each wait 3 s for a first token that
    # never comes: 6 requests, five 3 s waits.
    cfg = RefConfig(ttft=0.005, itl=0.001, tokenize=False, fault="stall", fault_after=0)
    timeouts = ("--connect-timeout", "1", "--first-token-timeout", "3", "--token-timeout", "2")
    with ReferenceServer(cfg) as srv:
        args = arena_cli.bench_args(srv.base_url, "--benches", "chat", *timeouts, quiet=False)
        t0 = time.monotonic()
        res = arena_cli.run(*args)
        took = time.monotonic() - t0
        assert srv.stats.requests == 6
    assert res.returncode == 3, res.stderr  # the bench failed
    first = res.stderr.splitlines()[0]
    assert first == (
        "timeouts: up to 4 s per request before its first token (--connect-timeout 1 + "
        "--first-token-timeout 3), then up to 2 s between tokens"
    )
    assert "failed: chat: 3/3 requests failed; first reason: timeout waiting for first token" in (
        res.stderr
    )
    # five 3 s waits; the bound catches only the hang it had (a silent 120 s calibration wait,
    # 135 s in all), with 100 s of slack for start-up on a loaded box
    assert 5 * 3 <= took < 5 * 3 + 100, took


def _interrupt_when(proc_args: list[str], cli: ArenaCli, ready: object) -> tuple[int, str]:
    """Start the CLI, wait until `ready()` holds, send SIGINT: (exit code, stderr)."""
    with cli.popen(*proc_args) as proc:
        wait_for(ready, HANG, "the CLI to reach the phase")  # type: ignore[arg-type]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=HANG)
    return proc.returncode, err


def _one_interrupt_line(code: int, err: str) -> str:
    assert code == 130, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("interrupted"), err
    return lines[0]


def test_ctrl_c_while_listing_models_exits_130(arena_cli: ArenaCli) -> None:
    with SilentServer() as srv:
        args = arena_cli.bench_args(srv.base_url)
        code, err = _interrupt_when(args, arena_cli, lambda: srv.accepted >= 1)
    _one_interrupt_line(code, err)
    assert not arena_cli.has_build()


@pytest.mark.parametrize(
    ("tokenize", "phase"),
    [
        # without /tokenize the first generation request is a calibration probe (max_tokens 1)
        pytest.param(False, "calibration", id="calibration"),
        # with it, the first generation request is the sanity question
        pytest.param(True, "sanity", id="sanity-question"),
    ],
)
def test_ctrl_c_during_start_up_requests_exits_130(
    arena_cli: ArenaCli, tokenize: bool, phase: str
) -> None:
    cfg = RefConfig(ttft=0.005, itl=0.001, tokenize=tokenize, hold=lambda: True)
    with ReferenceServer(cfg) as srv:
        args = arena_cli.bench_args(srv.base_url)
        code, err = _interrupt_when(args, arena_cli, lambda: srv.stats.held > 0)
        body = srv.stats.bodies[0]
    _one_interrupt_line(code, err)
    if phase == "calibration":
        assert body["max_tokens"] == 1
    else:
        assert body["messages"][0]["content"] == SANITY_PROMPT
    assert arena_cli.stored() == set()


def test_ctrl_c_while_the_cli_loads_exits_130(arena_cli: ArenaCli) -> None:
    """A signal 0.3 s after the start lands while Python imports the CLI or opens the store."""
    with SilentServer() as srv:
        args = arena_cli.bench_args(srv.base_url, "--connect-timeout", "1")
        t0 = time.monotonic()
        code, err = _interrupt_when(args, arena_cli, lambda: time.monotonic() - t0 > 0.3)
    _one_interrupt_line(code, err)


def test_a_base_url_without_v1_gets_a_hint(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    base = ref_server.base_url.removesuffix("/v1")
    res = arena_cli.bench(base)
    assert res.returncode == 1, res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert line.endswith(
        f"/models: HTTP 404; --base-url usually ends in /v1: try --base-url {base}/v1"
    )
    assert ref_server.stats.requests == 0
    assert not arena_cli.has_build()


def _queued_bench(tmp_path: Path, concurrency: str) -> Path:
    path = tmp_path / "queued.yaml"
    path.write_text(
        "- id: queued\n  title: Queued\n  mode: closed\n  prompt_tokens: [64]\n"
        f"  output_tokens: 24\n  concurrency: [{concurrency}]\n  reference_concurrency: 8\n"
    )
    return path


@pytest.mark.parametrize(
    ("slots", "concurrency", "unloaded_from"),
    [
        pytest.param(2, "1, 8", "c1", id="2-slots-c1-point"),
        pytest.param(2, "8", "alone", id="2-slots-request-alone"),
        pytest.param(0, "1, 8", "c1", id="no-slot-limit"),
    ],
)
def test_prefill_is_not_derived_where_requests_queue(
    arena_cli: ArenaCli, tmp_path: Path, slots: int, concurrency: str, unloaded_from: str
) -> None:
    # 50 ms to the first token, 10 ms per token, 24 tokens: 0.28 s per answer; with 2 slots the
    # 8 requests are served 2 at a time, so the last pair's TTFT holds 3 answers of queue time
    cfg = RefConfig(ttft=0.05, itl=0.01, slots=slots)
    with ReferenceServer(cfg) as srv:
        args = arena_cli.bench_args(
            srv.base_url, "--bench-file", str(_queued_bench(tmp_path, concurrency)), "--json"
        )
        args[args.index("smoke")] = "full"
        res = arena_cli.run(*args)
        alone = [b for b in srv.stats.bodies if b["max_tokens"] == 1]
    assert res.returncode == 0, res.stderr
    rec = json.loads(res.stdout)["benches"]["queued"]
    rows = {r["concurrency"]: r for r in arena_cli.distribution_rows("queued")}
    at8 = rows[8]
    assert len(alone) == (1 if unloaded_from == "alone" else 0)
    assert 50 <= at8["unloaded_ttft_ms"] < HANG * 1000  # the server never answers sooner
    if slots:
        assert at8["prefill_withheld"], at8
        assert at8["pp_tps_req"] is None
        assert at8["pp_tps_total"] is None
        assert at8["est_ppt_ms"] is None
        assert at8["ttft_p95_ms"] >= 50 + 3 * 280 * 0.9  # TTFT keeps the queue time
        (note,) = [n for n in rec["notes"] if n.startswith("prefill not derived")]
        assert note.startswith("prefill not derived at pp 64 c 8: requests queued (")
        assert note.endswith("); its TTFT includes the queue time")
    else:
        assert at8["prefill_withheld"] is None
        assert at8["pp_tps_req"] is not None
        assert not [n for n in rec["notes"] if n.startswith("prefill not derived")]
    if 1 in rows:
        assert rows[1]["prefill_withheld"] is None
        assert rows[1]["pp_tps_req"] is not None
