"""A writable board on a real PostgreSQL over real HTTP: tokens, field errors, limits, runs
stored once under concurrent duplicates, no retraction over HTTP, read-only without --writable."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, func, select, text

from arena.dataset import RunBundle, open_store, to_bundle
from arena.store import Store
from arena.store.board import add_token, revoke_token
from arena.store.schema import RunRow
from arena.web import create_app
from tests.unit.store.test_board import bundle, changed

MAX_MB = 0.25
RATE = 40.0  # runs a minute per token on the test board


@dataclass(frozen=True)
class Board:
    """The writable board's address, its database URL and a read-only server over the same."""

    url: str
    db: str
    read_only: str


def _serve(app: FastAPI) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # only a hang, however loaded the machine
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert thread.is_alive(), "uvicorn stopped"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def board(pg_url: str) -> Iterator[Board]:
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("drop database if exists arena_board"))
        conn.execute(text("create database arena_board"))
    engine.dispose()
    db = pg_url.rsplit("/", 1)[0] + "/arena_board"
    store = open_store(db)
    writable = create_app(store=store, writable=True, max_bundle_mb=MAX_MB, rate_per_min=RATE)
    for url in _serve(writable):
        for read_only in _serve(create_app(store=store)):
            yield Board(url, db, read_only)
    store.close()


def token(board: Board, host: str) -> dict[str, str]:
    store = Store.open(board.db)
    try:
        return {"Authorization": f"Bearer {add_token(store, host)}"}
    finally:
        store.close()


def count(board: Board, **where: str) -> int:
    store = Store.open(board.db)
    try:
        with store.session() as s:
            query = select(func.count()).select_from(RunRow)
            for key, value in where.items():
                query = query.where(getattr(RunRow, key) == value)
            return int(s.scalar(query) or 0)
    finally:
        store.close()


def post(board: Board, b: RunBundle | dict[str, object], auth: dict[str, str]) -> httpx.Response:
    body = to_bundle(b) if isinstance(b, RunBundle) else b
    return httpx.post(f"{board.url}/api/runs", json=body, headers=auth, timeout=120)


def test_missing_wrong_and_revoked_tokens_get_401(board: Board) -> None:
    b = changed(bundle("auth-run"))
    auth = token(board, "auth-box")
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
        {"Authorization": auth["Authorization"] + "x"},
    ):
        answer = post(board, b, headers)
        assert answer.status_code == 401, headers
        assert "Authorization" in answer.json()["error"]
    store = Store.open(board.db)
    revoke_token(store, "auth-box")
    store.close()
    assert post(board, b, auth).status_code == 401
    assert count(board, id="auth-run") == 0


def test_a_bad_bundle_gets_422_naming_the_field(board: Board) -> None:
    auth = token(board, "field-box")
    data = json.loads(json.dumps(to_bundle(changed(bundle("field-run")))))
    data["run"]["results"][0]["bench_id"] = "nope"
    answer = post(board, data, auth)
    assert answer.status_code == 422
    assert "run.results[0].bench_id" in answer.json()["error"]
    data["format"] = "arena-run/9"
    assert "field 'format'" in post(board, data, auth).json()["error"]
    for raw in (b"not json", b'{"a": NaN}', b"\xff"):
        answer = httpx.post(f"{board.url}/api/runs", content=raw, headers=auth, timeout=120)
        assert answer.status_code == 422
        assert answer.json()["error"].startswith("body: ")
    assert count(board, id="field-run") == 0


def test_a_body_over_the_limit_gets_413_before_parsing(board: Board) -> None:
    auth = token(board, "big-box")
    b = changed(bundle("big-run"))
    huge = replace(b, run=replace(b.run, command="x" * int(MAX_MB * 1024 * 1024)))
    answer = post(board, huge, auth)
    assert answer.status_code == 413
    assert "at most 262,144 bytes" in answer.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts what arrives
        for _ in range(int(MAX_MB * 16) + 2):
            yield b" " * 65536

    streamed = httpx.post(f"{board.url}/api/runs", content=chunks(), headers=auth, timeout=120)
    assert streamed.status_code == 413
    assert "over 262,144 bytes" in streamed.json()["error"]
    assert count(board, id="big-run") == 0


def test_over_the_rate_gets_429_with_retry_after(board: Board) -> None:
    auth = token(board, "busy-box")
    codes = []
    with httpx.Client(timeout=120) as client:
        for _ in range(int(RATE) * 2):
            answer = client.post(f"{board.url}/api/runs", json={}, headers=auth)
            codes.append(answer.status_code)
            if answer.status_code == 429:
                break
    assert codes[-1] == 429, codes
    assert codes.count(422) >= RATE  # the burst passed, then the bucket ran dry
    assert int(answer.headers["retry-after"]) >= 1
    assert "busy-box" in answer.json()["error"]
    other = token(board, "calm-box")  # another token has its own bucket
    assert post(board, {}, other).status_code == 422


def test_created_then_exists_for_a_resend_and_for_the_same_content_under_a_new_id(
    board: Board,
) -> None:
    auth = token(board, "spark-01")
    b = changed(bundle("resend-run", 1))
    first = post(board, b, auth)
    assert first.status_code == 201
    assert first.json() == {
        "run_id": "resend-run",
        "status": "created",
        "content_hash": b.content_hash(),
        "build_id": b.build.id,
    }
    stored = httpx.get(f"{board.url}/api/runs/resend-run", timeout=120).json()
    assert stored["submitted_by"] == "spark-01"
    assert stored["retracted_at"] is None
    assert count(board, id="resend-run") == 1  # a 2xx answer means committed
    again = post(board, b, auth)
    assert (again.status_code, again.json()["status"]) == (200, "exists")
    other_id = post(board, replace(b, run=replace(b.run, id="resend-run-2")), auth)
    assert other_id.status_code == 200
    assert other_id.json()["run_id"] == "resend-run"
    assert count(board, content_hash=b.content_hash()) == 1
    assert httpx.get(f"{board.url}/api/runs/resend-run-2", timeout=120).status_code == 404


def test_a_reused_run_id_with_other_content_gets_409(board: Board) -> None:
    auth = token(board, "spark-02")
    b = changed(bundle("conflict-run", 2))
    assert post(board, b, auth).status_code == 201
    answer = post(board, changed(b), auth)
    assert answer.status_code == 409
    assert "conflict-run" in answer.json()["error"]
    assert count(board, id="conflict-run") == 1


def test_a_token_cannot_retract(board: Board) -> None:
    auth = token(board, "spark-03")
    b = changed(bundle("keep-run", 3))
    assert post(board, b, auth).status_code == 201
    run = f"{board.url}/api/runs/keep-run"
    body = {"reason": "mine", "retracted": True}
    with httpx.Client(timeout=120, headers=auth) as client:
        attempts = [
            client.post(f"{run}/retract", json=body),
            client.post(run, json=body),
            client.delete(run),
            client.patch(run, json=body),
            client.put(run, json=body),
        ]
    assert [a.status_code for a in attempts if a.status_code not in (401, 404, 405)] == []
    stored = httpx.get(run, timeout=120).json()
    assert (stored["retracted_at"], stored["retract_reason"]) == (None, None)
    assert count(board, id="keep-run") == 1


def test_without_writable_there_is_no_write_route(board: Board) -> None:
    auth = token(board, "spark-04")
    before = count(board)
    answer = httpx.post(
        f"{board.read_only}/api/runs", json=to_bundle(changed(bundle("ro-run", 4))), headers=auth
    )
    assert answer.status_code in (404, 405)
    assert count(board) == before
    spec = httpx.get(f"{board.read_only}/openapi.json").json()
    assert "post" not in spec["paths"].get("/api/runs", {})
    assert spec["info"]["description"].startswith("Read-only")
    for path in ("/", "/docs", "/api/presets", "/api/schema/arena-run-1.json"):
        mine, theirs = httpx.get(board.read_only + path), httpx.get(board.url + path)
        assert (mine.status_code, mine.content) == (200, theirs.content), path


def test_concurrent_duplicates_store_exactly_one_run(board: Board) -> None:
    auth = token(board, "spark-05")
    b = changed(bundle("race-run", 5))
    # half send the same id, half the same content under their own ids
    sent = [b if i % 2 else replace(b, run=replace(b.run, id=f"race-run-{i}")) for i in range(20)]
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda x: post(board, x, auth), sent))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 19 + [201], [a.text for a in answers]
    winner = next(a.json()["run_id"] for a in answers if a.status_code == 201)
    assert {a.json()["run_id"] for a in answers} == {winner}
    assert count(board, content_hash=b.content_hash()) == 1


def test_concurrent_runs_of_one_new_build_are_all_stored(board: Board) -> None:
    auth = token(board, "spark-06")
    base = bundle("fresh", 6)
    build = replace(base.build, id="fresh-build-from-a-box", name="Fresh build")
    sent = []
    for i in range(10):
        first = replace(base.results[0], tps_total=100.0 + i)
        run = replace(base.run, id=f"fresh-run-{i}")
        sent.append(replace(base, build=build, run=run, results=[first, *base.results[1:]]))
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda x: post(board, x, auth), sent))
    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
    assert count(board, build_id="fresh-build-from-a-box") == 10
