"""`arena token add` and `arena serve --writable` as a user runs them: separate processes, a
real socket, the token read off the last line of stdout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from arena.dataset import to_bundle
from tests.e2e.conftest import free_port
from tests.unit.store.test_board import bundle, changed

ENV = {
    "COLUMNS": "200",
    "PATH": "/usr/bin:/bin",
    "PYTHONUNBUFFERED": "1",
    "HOME": os.environ.get("HOME", "/tmp"),
}


def arena(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arena", *args, "--db", str(tmp / "board.db")],
        capture_output=True,
        text=True,
        env={**ENV, "ARENA_CACHE_DIR": str(tmp / "cache")},
        timeout=600,
    )


@contextmanager
def serving(tmp: Path, *flags: str) -> Iterator[tuple[str, str]]:
    """`arena serve` on a free port until the block ends; yields its URL and what it printed."""
    port = free_port()
    log = tmp / f"serve-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "arena", "serve", "--port", str(port), *flags],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**ENV, "ARENA_CACHE_DIR": str(tmp / "cache"), "ARENA_DB": str(tmp / "board.db")},
        )
    try:
        deadline = time.monotonic() + 300  # only a hang, however loaded the machine
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_token_from_the_cli_posts_to_a_writable_board(tmp_path: Path) -> None:
    added = arena(tmp_path, "token", "add", "spark-01")
    assert added.returncode == 0, added.stderr
    token = added.stdout.splitlines()[-1]
    assert len(token) >= 40
    assert token not in arena(tmp_path, "token", "list").stdout
    b = to_bundle(changed(bundle("cli-run", 7)))
    auth = {"Authorization": f"Bearer {token}"}
    with serving(tmp_path, "--writable") as (url, printed):
        assert "writable: POST /api/runs" in printed
        assert "wants PostgreSQL" in printed  # said on SQLite
        answer = httpx.post(f"{url}/api/runs", json=b, headers=auth, timeout=120)
        assert answer.status_code == 201, answer.text
    with serving(tmp_path) as (url, printed):
        assert "writable" not in printed
        answer = httpx.post(f"{url}/api/runs", json=b, headers=auth, timeout=120)
        assert answer.status_code in (404, 405)
        stored = httpx.get(f"{url}/api/runs/cli-run", timeout=120).json()
        assert stored["submitted_by"] == "spark-01"
    retracted = arena(tmp_path, "runs", "retract", "cli-run", "--reason", "bad driver")
    assert retracted.returncode == 0, retracted.stderr
    listed = arena(tmp_path, "runs", "list", "--build", changed(bundle("x", 7)).build.id)
    assert "bad driver" in listed.stdout
