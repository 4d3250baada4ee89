"""Shared fixtures: paths to the real shared data, a fresh SQLite store, a real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from arena.dataset import open_store
from arena.store import Store
from tests.servers.postgres import pg_bin, running_postgres

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


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback, started with initdb/pg_ctl for this session."""
    if not (pg_bin("initdb") and pg_bin("pg_ctl")):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries missing; run `make system-deps`")
        pytest.skip("PostgreSQL server binaries not installed (make system-deps)")
    with running_postgres() as url:
        yield url
