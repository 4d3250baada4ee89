"""`arena serve --workers 2` on a real PostgreSQL over real HTTP: both workers answer, and a run
written by another process is listed by every worker at its next requests."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time

import httpx
from sqlalchemy import create_engine, text

from arena.records import HardwareInfo, RunInfo
from arena.store import Store
from tests.servers.postgres import free_port
from tests.unit.store.test_store import BUILD, REC

SPARK = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
HANG_S = 300  # only a hang; a loaded box starts two workers in seconds


def test_two_workers_share_one_database_and_see_a_new_run(pg_url: str) -> None:
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("drop database if exists arena_workers"))
        conn.execute(text("create database arena_workers"))
    engine.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/arena_workers"
    port = free_port()
    cmd = [sys.executable, "-m", "arena", "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen([*cmd, "--db", url], start_new_session=True)
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=HANG_S) for _ in range(6)]
    try:
        deadline = time.monotonic() + HANG_S
        while True:
            try:
                first = clients[0].get("/api/leaderboard")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "arena serve --workers 2 did not answer"
                assert server.poll() is None, "arena serve exited"
                time.sleep(0.1)
        assert first.status_code == 200
        assert first.json()["hardware"]["id"] == "dgx-spark"
        assert all(c.get("/api/leaderboard").status_code == 200 for c in clients)
        writer = Store.open(url)  # the parent migrated and seeded it once
        assert len(writer.build_ids()) == 32
        build = dataclasses.replace(BUILD, hardware_id="dgx-spark")
        writer.put_build(build, SPARK, [REC], run=RunInfo("w-run", "v2", "dgx-spark"))
        writer.close()
        for c in clients:  # the next request of each connection, whichever worker holds it
            rows = c.get("/api/leaderboard").json()["rows"]
            assert "my-build" in {r["model"] for r in rows}
    finally:
        for c in clients:
            c.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
