"""A real board (`arena serve --db postgresql --writable` as a subprocess) and boxes that submit
to it: local SQLite stores holding the bundled v2 runs re-labelled per host, and `arena submit`
run as a user runs it."""

from __future__ import annotations

import dataclasses
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from arena.dataset import load_bundled
from arena.records import BuildRun, Dataset
from arena.store import Store
from arena.store.board import add_token
from tests.servers.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


def fresh_database(pg_url: str) -> str:
    """A new empty database on the session's PostgreSQL server, by URL."""
    name = "board_" + uuid.uuid4().hex[:12]
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"create database {name}"))
    engine.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def cli_env(tmp: Path) -> dict[str, str]:
    """What a user's shell gives the CLI: a PATH, a wide terminal, its own cache and home."""
    return {
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "200",
        "HOME": str(tmp),
        "ARENA_CACHE_DIR": str(tmp / "cache"),
        "PYTHONUNBUFFERED": "1",
    }


class Board:
    """`arena serve --writable` on PostgreSQL; stop it hard (SIGKILL) and start it again."""

    def __init__(
        self, db_url: str, tmp: Path, rate_per_min: float | None = 6000.0, *args: str
    ) -> None:
        self.db_url = db_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tmp
        self.rate = rate_per_min
        self.args = args  # more `arena serve` options
        self.proc: subprocess.Popen[bytes] | None = None
        store = Store.open(db_url)  # migrated here, so tokens can be added before it starts
        store.close()

    def token(self, host: str) -> str:
        """A write token for `host`, through the board's own store function."""
        store = Store.open(self.db_url)
        try:
            return add_token(store, host)
        finally:
            store.close()

    def start(self, wait: float = 120.0) -> None:
        log = (self.tmp / "board.log").open("ab")
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "arena", "serve", "--db", self.db_url, "--writable"),
                *("--port", str(self.port)),
                *(() if self.rate is None else ("--rate-per-min", f"{self.rate:g}")),
                *self.args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=cli_env(self.tmp),
            cwd=ROOT,
        )
        log.close()
        deadline = time.monotonic() + wait  # a hang bound, not a speed target
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"board exited {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/runs/none", timeout=2):
                    return
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"board did not answer within {wait:g} s: {self.log()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; only what was committed survives."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self.proc = None

    def log(self) -> str:
        path = self.tmp / "board.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""


@dataclass(frozen=True)
class Box:
    """One submitting host: its name, token and local SQLite store."""

    host: str
    token: str
    db: Path


def v2_runs() -> tuple[Dataset, list[BuildRun]]:
    """The bundled v2 dataset and its runs, in file order."""
    ds = load_bundled("dgx_spark_v2.json")
    return ds, list(ds.runs)


def relabel(br: BuildRun, label: str) -> BuildRun:
    """A v2 run as box `label` measured it: its own id and origin "user", and an environment
    entry naming the box, so its content differs from every other box's copy."""
    run = dataclasses.replace(
        br.run,
        id=f"{label}-{br.run.id}",
        origin="user",
        environment={**br.run.environment, "box": label},
    )
    return BuildRun(br.build_id, run, br.results)


def make_box(
    template: Path, where: Path, host: str, token: str, runs: list[BuildRun], ds: Dataset
) -> Box:
    """A local store (a copy of the seeded template) holding `runs` as this box's own."""
    where.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, where)
    store = Store.open(str(where))
    try:
        builds = {br.build_id for br in runs}
        store.load(
            Dataset(
                name=host,
                attribution=None,
                license=None,
                source=None,
                hardware=ds.hardware,
                base_models=ds.base_models,
                builds=[b for b in ds.builds if b.id in builds],
                runs=runs,
            )
        )
    finally:
        store.close()
    return Box(host, token, where)


def submit_args(box: Box, board_url: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "arena",
        "submit",
        "--to",
        board_url,
        "--token",
        box.token,
        "--db",
        str(box.db),
        *extra,
    ]


def submit(box: Box, board_url: str, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`arena submit` as a user runs it, to completion (bounded only to catch a hang)."""
    return subprocess.run(
        submit_args(box, board_url, *extra),
        capture_output=True,
        text=True,
        env=cli_env(tmp),
        cwd=ROOT,
        timeout=600,
    )


def popen_submit(box: Box, board_url: str, tmp: Path, *extra: str) -> subprocess.Popen[str]:
    """`arena submit` started in the background, stdout line by line."""
    return subprocess.Popen(
        submit_args(box, board_url, *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp),
        cwd=ROOT,
    )


def wait_gone(proc: subprocess.Popen[str], seconds: float = 600.0) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=seconds)
    return proc.returncode, out, err
