"""`arena.evals.evaluate` as a Python user calls it (no Typer) against the scripted server."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import json
import socket
from pathlib import Path

import aiohttp
import pytest

from arena.builds import BuildSpec
from arena.errors import ArenaError
from arena.evals import (
    Answered,
    Checkpoint,
    EvalConfig,
    EvalEvent,
    RunConfig,
    TaskStarted,
    evaluate,
    load_tasks,
    run_task,
)
from arena.evals.tasks import gpqa_task
from arena.store import Store
from arena.verdicts import ErrorKind
from tests.servers.scripted_qa import MODEL, ScriptedQA, behaviour, expected_correct

BUILD = "library-build"
N = 40


def write_gpqa_csv(path: Path, n: int = N) -> Path:
    """A GPQA-format CSV of invented questions."""
    cols = ["Record ID", "Question", "Correct Answer", "Incorrect Answer 1",
            "Incorrect Answer 2", "Incorrect Answer 3", "Subdomain"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for i in range(n):
            w.writerow([f"rec{i:03d}", f"invented question {i}: which value fits?",
                        f"right {i}", f"wrong a{i}", f"wrong b{i}", f"wrong c{i}",
                        "Invented"])  # fmt: skip
    return path


def config(tmp: Path, data: Path, base_url: str) -> EvalConfig:
    """GPQA on the invented file, stored under the test build; checkpoints under `tmp`."""
    spec = BuildSpec(BUILD, "Library Build", "Invented/Model-1B", "bf16")
    return EvalConfig(MODEL, base_url, build=spec, tasks=("gpqa",), gpqa_file=data,
                      concurrency=3, cache_dir=tmp / "cache")  # fmt: skip


def test_evaluate_stores_the_score_and_reports_every_answer(tmp_path: Path, store: Store) -> None:
    data = write_gpqa_csv(tmp_path / "gpqa_diamond.csv")
    items = gpqa_task(data, None, None, 42, None).items
    key = {it.prompt: it.gold for it in items}
    kinds = [behaviour(it.prompt) for it in items]
    right = sum(expected_correct(k, 2048) for k in kinds)
    failed = kinds.count("http500")
    assert 0 < failed <= N // 10  # a fault the score survives
    events: list[EvalEvent] = []
    with ScriptedQA(key) as srv:
        result = evaluate(config(tmp_path, data, srv.base_url), store, on_progress=events.append)
        asked = srv.stats.requests
    assert asked == N
    (run,) = result.tasks
    assert result.build_id == BUILD
    assert (run.result.n, run.result.correct, run.result.failed) == (N, right, failed)
    assert run.stored
    assert run.not_stored is None
    assert result.stored
    assert not result.too_many_failed
    starts = [e for e in events if isinstance(e, TaskStarted)]
    answers = [e for e in events if isinstance(e, Answered)]
    assert [(e.task.name, e.kept) for e in starts] == [("gpqa", 0)]
    assert sorted(e.outcome.id for e in answers) == sorted(it.id for it in items)
    assert sum(e.outcome.correct for e in answers) == right
    assert {e.outcome.kind for e in answers if e.outcome.failed} == {ErrorKind.HTTP_STATUS}
    view = store.build(BUILD)
    assert view is not None
    assert (view.build.name, view.build.base_model, view.build.precision) == (
        "Library Build", "Invented/Model-1B", "bf16")  # fmt: skip
    (q,) = [q for q in view.quality if q.kind == "measured"]
    assert q == run.record
    assert q.metric == "gpqa_diamond"
    assert q.value == pytest.approx(round(100 * right / N, 2))
    assert q.details is not None
    assert (q.details["n"], q.details["correct"], q.details["failed_requests"]) == (
        N,
        right,
        failed,
    )
    lines = run.checkpoint.path.read_text().splitlines()
    assert len(lines) == N + 1  # the header, then one line per question
    assert json.loads(lines[0])["checkpoint"] == run.checkpoint.key


def test_a_slice_is_reported_but_not_stored(tmp_path: Path, store: Store) -> None:
    data = write_gpqa_csv(tmp_path / "gpqa_diamond.csv")
    key = {it.prompt: it.gold for it in gpqa_task(data, None, None, 42, None).items}
    with ScriptedQA(key, rules=((100, "correct"),)) as srv:
        sliced = dataclasses.replace(config(tmp_path, data, srv.base_url), limit=10)
        result = evaluate(sliced, store)
    (run,) = result.tasks
    assert (run.result.n, run.result.correct) == (10, 10)
    assert run.record is None
    assert run.not_stored == (
        "gpqa: not stored: partial run (--limit); use --store-partial to store it"
    )
    view = store.build(BUILD)
    assert view is not None  # the server answered: the build is there, without a score
    assert [q for q in view.quality if q.kind == "measured"] == []


def test_a_broken_server_fails_every_request_and_stores_nothing(
    tmp_path: Path, store: Store
) -> None:
    data = write_gpqa_csv(tmp_path / "gpqa_diamond.csv")
    with ScriptedQA(fail_status=500) as srv:
        result = evaluate(config(tmp_path, data, srv.base_url), store)
        asked = srv.stats.requests
    (run,) = result.tasks
    assert asked == N  # an HTTP error is not a gone server: every question is asked
    assert run.result.failed == N
    assert result.too_many_failed
    assert not result.stored
    assert {o.kind for o in run.result.outcomes} == {ErrorKind.HTTP_STATUS}
    assert run.not_stored is not None
    assert run.not_stored.startswith(f"gpqa: {N}/{N} requests failed (first: HTTP 500")


def _refusing_url() -> str:
    """A loopback address where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_a_gone_server_stops_the_task_by_error_kind(tmp_path: Path) -> None:
    """Refused connections are `ErrorKind.REFUSED` (server gone): the task stops after a streak
    instead of asking all N, and the checkpoint keeps the kind of each failure."""
    task = gpqa_task(write_gpqa_csv(tmp_path / "g.csv"), None, None, 42, None)
    ckpt = Checkpoint(tmp_path / "c.jsonl", "k")

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            cfg = RunConfig(session, _refusing_url() + "/chat/completions", MODEL, concurrency=2)
            await run_task(cfg, task, ckpt, False)

    with pytest.raises(ArenaError, match="requests in a row could not reach the server"):
        asyncio.run(go())
    kept = ckpt.load()
    assert 0 < len(kept) < N
    assert {o.kind for o in kept.values()} == {ErrorKind.REFUSED}
    assert all(o.failed for o in kept.values())


def test_an_unknown_task_is_refused_before_the_store_is_touched(tmp_path: Path) -> None:
    bad = EvalConfig(MODEL, tasks=("gpqa", "trivia"), gpqa_file=tmp_path / "none.csv")
    with pytest.raises(ArenaError, match="tasks: unknown task 'trivia'; known: mmlu-pro, gpqa"):
        load_tasks(bad)
