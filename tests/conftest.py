"""Shared fixtures: paths to the real shared data, a fresh SQLite store, a real PostgreSQL."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from arena.dataset import open_store
from arena.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "dgx-spark-benchmarks-v1"
RUN_QWEN_08 = SHARED / "results" / "qwen-3.5" / "qwen-3.5-0.8b" / "bf16"
MMLU_PRO_FILE = SHARED.parent / "mmlu-pro" / "mmlu_pro_test.jsonl.gz"


def arena_in(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, with its own database and checkpoint dir under `tmp`."""
    return subprocess.run(
        [sys.executable, "-m", "arena", *args, "--db", str(tmp / "a.db")],
        capture_output=True,
        text=True,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin", "ARENA_CACHE_DIR": str(tmp / "cache")},
    )


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A path for a brand-new SQLite database file."""
    return str(tmp_path / "arena.db")


@dataclass(frozen=True)
class Outcome:
    """What a user of the console entry point sees: exit code, stdout and stderr."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def arena_main(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Outcome]:
    """The console entry point `arena.cli.app:main` called in-process, without a Python start-up."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Typer installs its own hook

    from arena.cli.app import main

    def call(*args: str) -> Outcome:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["arena", *args])
        try:
            main()
            code: int | str | None = 0
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        assert not isinstance(code, str), code
        return Outcome(code or 0, out, err)

    return call


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated and seeded once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    open_store(str(path)).close()
    return path


@pytest.fixture
def seeded_db(seeded_template: Path, tmp_path: Path) -> str:
    """A copy of the seeded template: what `open_store` leaves on a new file, for one test alone."""
    path = tmp_path / "arena.db"
    shutil.copyfile(seeded_template, path)
    return str(path)


@pytest.fixture
def store(seeded_db: str) -> Iterator[Store]:
    """A real SQLite store, migrated and seeded with the bundled dataset."""
    s = Store.open(seeded_db)
    yield s
    s.close()


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    hits = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return hits[-1] if hits else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback, started with initdb/pg_ctl for this session."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries missing; run `make system-deps`")
        pytest.skip("PostgreSQL server binaries not installed (make system-deps)")
    base = Path(tempfile.mkdtemp(prefix="arena-pg-"))
    data = base / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        os.chmod(base, 0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "arena", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(base / "log"),
            "-w",
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"postgresql+psycopg://arena@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)
