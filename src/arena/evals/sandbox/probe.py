"""Decide once per process which isolation really works here, by running probe programs."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from arena.evals.sandbox.exec import (
    FULL,
    REFUSED,
    RLIMITS_ONLY,
    UID_ONLY,
    Limits,
    execute,
    sandbox_uid,
)
from arena.evals.sandbox.mounts import Setup, closed_ancestor, namespaced_argv, prefix_fixes

NO_NAMESPACES_ENV = "ARENA_SANDBOX_NO_NAMESPACES"  # "1": skip the unshare probe (tests, debugging)
_SYSTEM_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
_PROBE = """\
import os, socket
print(os.getuid(), os.getgid(), len(os.getgroups()), [n for _, n in socket.if_nameindex()])
"""
_UID_PROBE = """\
import os
nnp = [line.split()[1] for line in open('/proc/self/status') if line.startswith('NoNewPrivs:')]
print(os.getuid(), os.getgid(), len(os.getgroups()), nnp)
"""


def probe() -> Setup:
    """Decide the mode by running a real namespaced program and checking what it sees."""
    if os.geteuid() != 0:
        return Setup(RLIMITS_ONLY, "not running as root")
    if os.environ.get(NO_NAMESPACES_ENV, "") not in ("", "0"):
        return _probe_uid_only(f"{NO_NAMESPACES_ENV} is set")
    tools = {}
    for name in ("unshare", "setpriv", "mount", "cat", "sh"):
        found = shutil.which(name, path=_SYSTEM_PATH)
        if found is None:
            return _probe_uid_only(f"`{name}` not found")
        tools[name] = found
    setup = Setup(FULL, tools=tools, prefix_fixes=prefix_fixes())
    with sandbox_uid() as uid:
        rundir = tempfile.mkdtemp(prefix="arena-sandbox-probe-")
        try:
            Path(rundir, "prog.py").write_text(_PROBE, encoding="utf-8")
            argv = namespaced_argv(setup, rundir, uid, Limits())
            env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
            r = execute(argv, rundir, env, 30.0, Limits(), uid, time.monotonic(), FULL)
        finally:
            shutil.rmtree(rundir, ignore_errors=True)
    expected = f"{uid} {uid} 0 ['lo']"
    if r.status != "passed" or r.stdout_tail.strip() != expected:
        detail = (r.stderr_tail.strip().splitlines() or [r.stdout_tail.strip()])[-1:]
        return _probe_uid_only(f"`unshare` probe failed: {r.status} {detail}")
    return setup


def _probe_uid_only(why: str) -> Setup:
    """Root without namespaces: usable only if the interpreter runs as the sandbox uid."""
    exe = os.path.realpath(sys.executable)
    fix = (
        "run arena with a Python installed where every user can read it (e.g. /usr/bin/python3, "
        "/usr/local or /opt), make unshare work (util-linux, namespaces allowed), "
        "or run as a non-root user"
    )
    closed = closed_ancestor(exe)
    if closed is not None:
        return Setup(
            REFUSED,
            f"HumanEval sandbox refused: running as root without namespaces ({why}) and the "
            f"interpreter {exe} is under {closed} (mode {os.stat(closed).st_mode & 0o777:04o}), "
            f"which the unprivileged sandbox uid cannot enter; {fix}",
        )
    with sandbox_uid() as uid:
        rundir = tempfile.mkdtemp(prefix="arena-sandbox-probe-")
        try:
            Path(rundir, "prog.py").write_text(_UID_PROBE, encoding="utf-8")
            os.chown(rundir, uid, uid)
            env = {"PATH": "/usr/bin:/bin", "HOME": rundir, "LANG": "C.UTF-8"}
            argv = [sys.executable, "-I", "prog.py"]
            r = execute(
                argv, rundir, env, 30.0, Limits(), uid, time.monotonic(), UID_ONLY, drop=True
            )
        finally:
            shutil.rmtree(rundir, ignore_errors=True)
    expected = f"{uid} {uid} 0 ['1']"
    if r.status != "passed" or r.stdout_tail.strip() != expected:
        detail = (r.stderr_tail.strip().splitlines() or [r.stdout_tail.strip()])[-1]
        return Setup(
            REFUSED,
            f"HumanEval sandbox refused: running as root without namespaces ({why}) and the "
            f"interpreter {exe} does not run as the unprivileged sandbox uid ({r.status}: "
            f"{detail[:200]}); {fix}",
        )
    return Setup(UID_ONLY, why)
