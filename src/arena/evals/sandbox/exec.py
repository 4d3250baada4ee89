"""Start a sandboxed program, read its capped output and kill everything it left behind."""

from __future__ import annotations

import ctypes
import logging
import math
import os
import resource
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

Status = Literal["passed", "failed", "timeout", "error"]
FULL = "namespaces+uid"
UID_ONLY = "uid+rlimits"
RLIMITS_ONLY = "rlimits-only"
REFUSED = "refused"

MiB = 1024**2
_UID_BASE = 2_000_000_000  # far above login, system, dynamic (61184-65519) and subuid ranges
_SLOTS = 64  # concurrent sandboxes per arena process, each with its own uid
SETUP_FAILED = 125
SETUP_MARKER = "arena-sandbox: setup failed"
_GRACE = 0.5  # seconds to drain output after the program exited while a descendant holds a pipe
_PR_SET_NO_NEW_PRIVS = 38
_libc = ctypes.CDLL(None, use_errno=True)  # loaded before any fork: the child only calls prctl


@dataclass(frozen=True)
class Limits:
    """Per-run resource ceilings; the defaults fit HumanEval with room to spare."""

    address_space: int = 1024 * MiB
    cpu_seconds: int | None = None  # None: ceil(timeout) + 1
    file_size: int = 16 * MiB
    open_files: int = 64
    processes: int = 64
    output_bytes: int = 64 * 1024  # tail kept per stream
    tmpfs_bytes: int = 64 * MiB  # private /tmp (namespaces+uid only)


@dataclass(frozen=True)
class SandboxResult:
    """What a run did, small enough to store: tails of the output, never all of it."""

    status: Status
    returncode: int | None
    stdout_tail: str
    stderr_tail: str
    seconds: float
    isolation: str = RLIMITS_ONLY
    truncated: bool = False  # some output was dropped (only the tails are kept)
    pgid: int | None = None  # the run's process group on the host (gone when this is returned)


_slots = threading.Condition()
_free_slots = list(range(_SLOTS))


def sandbox_uids() -> range:
    """The uids this process's sandboxes run as (as root), for audits and tests."""
    first = _UID_BASE + (os.getpid() % 2**20) * _SLOTS
    return range(first, first + _SLOTS)


@contextmanager
def sandbox_uid() -> Iterator[int]:
    """A uid no other concurrent sandbox (of any arena process, barring pid clashes) uses."""
    with _slots:
        while not _free_slots:
            _slots.wait()
        slot = _free_slots.pop()
    try:
        yield sandbox_uids()[slot]
    finally:
        with _slots:
            _free_slots.append(slot)
            _slots.notify()


def execute(
    argv: list[str],
    rundir: str,
    env: dict[str, str],
    timeout: float,
    limits: Limits,
    uid: int | None,
    start: float,
    mode: str,
    drop: bool = False,
) -> SandboxResult:
    """Start, watch until exit or deadline, kill whatever is left, classify."""
    # `drop` (uid+rlimits): the child itself becomes `uid`/`uid` with no supplementary groups
    # (subprocess does that before the hook), then the hook sets the rlimits and no_new_privs.
    cpu = limits.cpu_seconds if limits.cpu_seconds is not None else math.ceil(timeout) + 1
    user = uid if drop else None
    try:
        proc = subprocess.Popen(
            argv,
            cwd=rundir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_rlimits(limits, cpu, no_new_privs=drop),  # setrlimit/prctl in the child
            user=user,
            group=user,
            extra_groups=None if user is None else [],
        )
    except (OSError, subprocess.SubprocessError) as exc:
        seconds = time.monotonic() - start
        return SandboxResult("error", None, "", f"could not start: {exc}", seconds, mode)
    try:
        out, err, truncated, timed_out = _collect(proc, start + timeout, limits.output_bytes)
    finally:
        _kill_all(proc, uid)
    seconds = time.monotonic() - start
    stdout = out.decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")
    code = proc.returncode
    status: Status
    if timed_out:
        status = "timeout"
    elif code == SETUP_FAILED and SETUP_MARKER in stderr:
        status = "error"
    else:
        status = "passed" if code == 0 else "failed"
    return SandboxResult(status, code, stdout, stderr, seconds, mode, truncated, proc.pid)


def _rlimits(limits: Limits, cpu: int, no_new_privs: bool = False) -> Callable[[], None]:
    """The child-side hook: ceilings apply from exec on and are inherited by all descendants."""
    # With `no_new_privs` no setuid binary can give the program its privileges back.
    pairs = [
        (resource.RLIMIT_AS, limits.address_space, limits.address_space),
        (resource.RLIMIT_CPU, cpu, cpu + 1),  # SIGXCPU at the soft limit, SIGKILL at the hard
        (resource.RLIMIT_FSIZE, limits.file_size, limits.file_size),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_NPROC, limits.processes, limits.processes),
        (resource.RLIMIT_CORE, 0, 0),
    ]

    def apply() -> None:
        for which, soft, hard in pairs:
            resource.setrlimit(which, (soft, hard))
        if no_new_privs and _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")

    return apply


def _collect(
    proc: subprocess.Popen[bytes], deadline: float, cap: int
) -> tuple[bytes, bytes, bool, bool]:
    """Read both pipes until EOF, the deadline, or a short grace after the program exited."""
    assert proc.stdout is not None
    assert proc.stderr is not None
    bufs = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    truncated = timed_out = False
    exited_at: float | None = None
    with selectors.DefaultSelector() as sel:
        for pipe in (proc.stdout, proc.stderr):
            sel.register(pipe, selectors.EVENT_READ)
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                timed_out = proc.poll() is None
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > _GRACE:
                break
            for key, _ in sel.select(timeout=min(deadline - now, 0.1)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                buf = bufs[key.fd]
                buf += chunk
                if len(buf) > cap:
                    del buf[: len(buf) - cap]
                    truncated = True
    return (
        bytes(bufs[proc.stdout.fileno()]),
        bytes(bufs[proc.stderr.fileno()]),
        truncated,
        timed_out,
    )


def _kill_all(proc: subprocess.Popen[bytes], uid: int | None) -> None:
    """SIGKILL the group and everything the sandbox uid still owns, then reap."""
    if uid is not None:
        _kill_uid(uid)  # first, so that unshare is still there to reap the namespace's init
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if uid is not None:
        _kill_uid(uid)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def _kill_uid(uid: int) -> None:
    """Kill every live process owned by `uid` (it is ours alone), until none is left."""
    for _ in range(100):
        alive = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state in ("Z", "X"):
                    continue
                os.kill(int(entry.name), signal.SIGKILL)
                alive = True
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
        if not alive:
            return
        time.sleep(0.01)
    log.error("sandbox uid %d still has processes after repeated SIGKILL", uid)
