"""One sandboxed run: a fresh temp dir, the isolation probed once per process, cleanup."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from arena.errors import ArenaError
from arena.evals.sandbox.exec import (
    FULL,
    REFUSED,
    RLIMITS_ONLY,
    UID_ONLY,
    Limits,
    SandboxResult,
    execute,
    sandbox_uid,
)
from arena.evals.sandbox.mounts import Setup, namespaced_argv
from arena.evals.sandbox.probe import probe

if TYPE_CHECKING:
    from arena.evals.humaneval import Problem

log = logging.getLogger(__name__)

_setup: Setup | None = None
_setup_lock = threading.Lock()


def run_python(source: str, timeout: float = 10.0, limits: Limits | None = None) -> SandboxResult:
    """Run `source` as a program in the sandbox; never raises for anything the program does."""
    setup = _get_setup()
    return _run(source, timeout, limits or Limits(), setup.mode)


def isolation() -> str:
    """The isolation runs get here (probed once); raises ArenaError if none is safe."""
    # One of "namespaces+uid", "uid+rlimits" or "rlimits-only"; ArenaError when running as root and
    # no safe isolation is possible.
    return _get_setup().mode


def check_humaneval(problem: Problem, completion_code: str, timeout: float = 10) -> SandboxResult:
    """Run a candidate against the problem's own tests: "passed" means pass@1 credit."""
    from arena.evals.humaneval import program_for

    return run_python(program_for(problem, completion_code), timeout=timeout)


def _run(source: str, timeout: float, limits: Limits, mode: str) -> SandboxResult:
    """One run in a fresh temp dir that is removed whatever happens."""
    start = time.monotonic()
    rundir = tempfile.mkdtemp(prefix="arena-sandbox-")
    try:
        Path(rundir, "prog.py").write_text(source, encoding="utf-8")
        if mode != FULL:
            env = {"PATH": "/usr/bin:/bin", "HOME": rundir, "LANG": "C.UTF-8"}
            argv = [sys.executable, "-I", "prog.py"]
            if mode != UID_ONLY:
                return execute(argv, rundir, env, timeout, limits, None, start, mode)
            with sandbox_uid() as uid:
                os.chown(rundir, uid, uid)  # its work dir, and nothing else on the host
                return execute(argv, rundir, env, timeout, limits, uid, start, mode, drop=True)
        with sandbox_uid() as uid:
            env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
            argv = namespaced_argv(_get_setup(), rundir, uid, limits)
            return execute(argv, rundir, env, timeout, limits, uid, start, mode)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def _get_setup() -> Setup:
    """Probe once whether full isolation really works on this machine (raises if refused)."""
    global _setup
    with _setup_lock:
        if _setup is None:
            _setup = probe()
            if _setup.mode == UID_ONLY:
                log.warning(
                    "HumanEval sandbox: network and mount isolation are OFF (%s); programs run as "
                    "an unprivileged sandbox uid with rlimits, a temp dir and a clean environment",
                    _setup.reason,
                )
            elif _setup.mode == RLIMITS_ONLY:
                log.warning(
                    "HumanEval sandbox: network and uid isolation are OFF (%s); "
                    "only rlimits, a temp dir and a clean environment apply",
                    _setup.reason,
                )
        if _setup.mode == REFUSED:
            raise ArenaError(_setup.reason)
        return _setup
