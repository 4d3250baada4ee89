"""Pytest fixtures and helpers for `arena bench` end-to-end tests against the reference server.

A test module imports the fixture functions (`arena_cli_fixture`, `ref_server_fixture`,
`template_db_fixture`, with `# noqa: F401`) and asks for them by name (`ref_server`,
`arena_cli`); `ArenaCli`, `wait_for` and `fast_config` are plain helpers.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers.reference import HANG, RefConfig, ReferenceServer

MODEL = "ref-model"


def fast_config() -> RefConfig:
    """5 ms to the first token, then 1 ms per token: a smoke bench takes tens of ms."""
    return RefConfig(ttft=0.005, itl=0.001)


@pytest.fixture(name="ref_server")
def ref_server_fixture() -> Iterator[ReferenceServer]:
    """A running, fast reference server; change `.config` freely while it runs."""
    srv = ReferenceServer(fast_config())
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(name="template_db", scope="session")
def template_db_fixture(seeded_template: Path) -> Path:
    """A migrated, seeded SQLite store made once per session (tests/conftest.py's template)."""
    return seeded_template


@pytest.fixture(name="arena_cli")
def arena_cli_fixture(tmp_path: Path, template_db: Path) -> ArenaCli:
    """The CLI as a subprocess, with its own SQLite file (a copy of the template) in tmp_path."""
    db = tmp_path / "arena.db"
    shutil.copyfile(template_db, db)
    return ArenaCli(db)


# A shell runs background jobs with SIGINT ignored, and a child inherits that: Python then
# installs no KeyboardInterrupt handler and Ctrl-C tests see the signal vanish. A child that
# is sent signals starts the way a terminal starts it, with Python's own SIGINT handler.
AS_FROM_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'arena'; runpy.run_module('arena', run_name='__main__', alter_sys=True)"
)


class ArenaCli:
    """Runs `python -m arena ...` with `--db` pointing at one test database."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.env = {
            **os.environ,
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "PYTHONWARNINGS": "error::ResourceWarning",
        }
        self.env.pop("OPENAI_BASE_URL", None)
        self.env.pop("OPENAI_API_KEY", None)

    def argv(self, *args: str) -> list[str]:
        """The full command line of one CLI call."""
        return [sys.executable, "-m", "arena", *args, "--db", str(self.db)]

    def run(self, *args: str, timeout: float = HANG) -> subprocess.CompletedProcess[str]:
        """Run to completion and capture stdout/stderr as text."""
        return subprocess.run(
            self.argv(*args), capture_output=True, text=True, timeout=timeout, env=self.env
        )

    def bench_args(
        self, base_url: str, *extra: str, model: str = MODEL, quiet: bool = True
    ) -> list[str]:
        """`bench` with the smoke profile, `--quiet` unless told, and the extra options."""
        args = ["bench", "--base-url", base_url, "--model", model, "--profile", "smoke"]
        return [*args, *(["--quiet"] if quiet else []), *extra]

    def bench(
        self, base_url: str, *extra: str, model: str = MODEL, timeout: float = HANG
    ) -> subprocess.CompletedProcess[str]:
        """Run `arena bench ... --profile smoke --quiet` to completion."""
        return self.run(*self.bench_args(base_url, *extra, model=model), timeout=timeout)

    @contextlib.contextmanager
    def popen(self, *args: str) -> Iterator[subprocess.Popen[str]]:
        """Start the CLI in the background, with Python's SIGINT handler whatever this process
        inherited; always reaped (killed if still running) on exit."""
        proc = subprocess.Popen(
            [sys.executable, "-c", AS_FROM_A_TERMINAL, *self.argv(*args)[3:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)

    def show(self, build: str = MODEL) -> dict[str, Any]:
        """`arena show BUILD --format json`, parsed."""
        res = self.run("show", build, "--format", "json")
        assert res.returncode == 0, res.stderr
        data: dict[str, Any] = json.loads(res.stdout)
        return data

    def has_build(self, build: str = MODEL) -> bool:
        """Whether anything was written for the build."""
        return build_exists(self.db, build)

    def distribution(self, bench: str, build: str = MODEL) -> dict[str, Any]:
        """The stored `distribution` JSON of the newest run's result, read straight from the
        SQLite file."""
        with contextlib.closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)) as c:
            row = c.execute(
                "SELECT b.distribution FROM bench_result b JOIN run r ON r.id = b.run_id "
                "WHERE b.build_id = ? AND b.bench_id = ? ORDER BY r.recorded_at DESC LIMIT 1",
                (build, bench),
            ).fetchone()
        assert row is not None, f"{build}/{bench} is not stored"
        data: dict[str, Any] = json.loads(row[0])
        return data

    def distribution_rows(self, bench: str, build: str = MODEL) -> list[dict[str, Any]]:
        """The stored `rows` JSON of the newest run's result (closed-loop points)."""
        with contextlib.closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)) as c:
            row = c.execute(
                "SELECT b.rows FROM bench_result b JOIN run r ON r.id = b.run_id "
                "WHERE b.build_id = ? AND b.bench_id = ? ORDER BY r.recorded_at DESC LIMIT 1",
                (build, bench),
            ).fetchone()
        assert row is not None, f"{build}/{bench} is not stored"
        rows: list[dict[str, Any]] = json.loads(row[0])
        return rows

    def stored(self, build: str = MODEL) -> set[str]:
        """Bench ids stored for the build, read straight from the SQLite file."""
        return stored_benches(self.db, build)


def build_exists(db: Path, build: str) -> bool:
    """Whether the build row exists in the SQLite file."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as c:
        return c.execute("SELECT 1 FROM build WHERE id = ?", (build,)).fetchone() is not None


def stored_benches(db: Path, build: str) -> set[str]:
    """Bench ids in bench_result for the build (empty while the file or table does not exist)."""
    if not db.exists():
        return set()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as c:
            rows = c.execute("SELECT bench_id FROM bench_result WHERE build_id = ?", (build,))
            return {r[0] for r in rows.fetchall()}
    except sqlite3.OperationalError:  # not migrated yet, or locked for a moment
        return set()


def wait_for(cond: Callable[[], bool], timeout: float, what: str, poll: float = 0.01) -> None:
    """Poll until cond() is true; fail the test naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(poll)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")
