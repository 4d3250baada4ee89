"""Run untrusted, model-written Python in a throwaway, resource-limited process.

Every run gets a fresh ``python -I`` (``sys.executable``) in a fresh temp dir with a minimal
environment (PATH=/usr/bin:/bin, HOME=the work dir, LANG=C.UTF-8, nothing else), in its own
process group (``start_new_session``), under rlimits set in the child before exec: address space,
CPU seconds (timeout + 1), file size, open files, processes, no core dumps. Output is read with a
cap (the last ``Limits.output_bytes`` of each stream are kept).

Isolation ``"namespaces+uid"`` (root, and ``unshare`` works here - probed once, cached):
the child is started as ``unshare -n -m -p -i -u -f --mount-proc -- /bin/sh -c SETUP``, i.e. in

* a new, empty network namespace (only a loopback that is down: no network at all, not even the
  host's 127.0.0.1),
* new IPC and UTS namespaces (no System V IPC objects or POSIX message queues shared with the
  host; a hostname of its own),
* a new pid namespace with its own /proc (host processes and their command lines are invisible;
  when the program exits or is killed, the kernel kills everything it forked),
* a new mount namespace in which SETUP (running as root, before the drop) mounts a private tmpfs
  owned by the sandbox uid on /tmp (the work dir: cwd and HOME, ``Limits.tmpfs_bytes`` big, gone
  with the namespace), read-only-for-others empty tmpfs on the other world-writable dirs
  (/var/tmp, /dev/shm, /run/lock), and - when the interpreter lives under a directory others cannot
  enter (pyenv in /root) - re-exposes exactly the interpreter's prefixes there (a tmpfs over the
  closed directory, the prefixes bind-mounted back at their own paths, everything else hidden);
* then ``setpriv`` drops to a per-slot unprivileged uid/gid (``_UID_BASE`` + pid-derived offset +
  slot; no supplementary groups, no_new_privs) and execs the interpreter. A uid of its own means
  RLIMIT_NPROC counts only this sandbox's processes (a fork bomb stops at ``Limits.processes``
  without starving anyone else), and it can write nowhere but its private /tmp.

After the run the process group is SIGKILLed and, with uid isolation, every process still owned
by the sandbox uid too (a program that called ``setsid`` has left the group), then the temp dir is
removed.

Isolation ``"uid+rlimits"`` (root, but namespaces are unavailable: no ``unshare``, the probe
failed, or ``ARENA_SANDBOX_NO_NAMESPACES=1``): the program still never runs as root. The child
drops to a per-slot sandbox uid/gid (no supplementary groups, no_new_privs) before exec, its work
dir is chowned to that uid, and every process of that uid is killed after the run, exactly as in
full mode; the network and the world-writable host dirs stay reachable. The interpreter must be
usable by that uid: a probe runs it as the sandbox uid, and if it cannot (e.g. it lives under a
0700 /root/.pyenv and there is no mount namespace to re-expose it) the sandbox refuses with an
``ArenaError`` instead of running model-written code as root.

Isolation ``"rlimits-only"`` (not root): the same process, temp dir, environment and rlimits as
the calling user, with the host's network and file system. A message is logged once; every result
carries the ``isolation`` it ran under.
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import resource
import selectors
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from arena.errors import ArenaError

if TYPE_CHECKING:
    from arena.evals.humaneval import Problem

log = logging.getLogger(__name__)

Status = Literal["passed", "failed", "timeout", "error"]
FULL = "namespaces+uid"
UID_ONLY = "uid+rlimits"
RLIMITS_ONLY = "rlimits-only"
REFUSED = "refused"
NO_NAMESPACES_ENV = "ARENA_SANDBOX_NO_NAMESPACES"  # "1": skip the unshare probe (tests, debugging)

MiB = 1024**2
_UID_BASE = 2_000_000_000  # far above login, system, dynamic (61184-65519) and subuid ranges
_SLOTS = 64  # concurrent sandboxes per arena process, each with its own uid
_SETUP_FAILED = 125
_SETUP_MARKER = "arena-sandbox: setup failed"
_GRACE = 0.5  # seconds to drain output after the program exited while a descendant holds a pipe
_SYSTEM_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
_WORLD_WRITABLE = ("/var/tmp", "/dev/shm", "/run/lock")
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


@dataclass
class _Setup:
    """The probed isolation mode and the absolute tools it needs (decided once per process)."""

    mode: str
    reason: str = ""
    tools: dict[str, str] = field(default_factory=dict)
    prefix_fixes: list[tuple[str, list[str]]] = field(default_factory=list)


_setup: _Setup | None = None
_setup_lock = threading.Lock()
_slots = threading.Condition()
_free_slots = list(range(_SLOTS))


def run_python(source: str, timeout: float = 10.0, limits: Limits | None = None) -> SandboxResult:
    """Run `source` as a program in the sandbox; never raises for anything the program does."""
    setup = _get_setup()
    return _run(source, timeout, limits or Limits(), setup.mode)


def isolation() -> str:
    """The isolation runs get here: "namespaces+uid", "uid+rlimits" or "rlimits-only" (probed
    once); raises ArenaError when running as root and no safe isolation is possible."""
    return _get_setup().mode


def sandbox_uids() -> range:
    """The uids this process's sandboxes run as (as root), for audits and tests."""
    first = _UID_BASE + (os.getpid() % 2**20) * _SLOTS
    return range(first, first + _SLOTS)


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
                return _execute(argv, rundir, env, timeout, limits, None, start, mode)
            with _sandbox_uid() as uid:
                os.chown(rundir, uid, uid)  # its work dir, and nothing else on the host
                return _execute(argv, rundir, env, timeout, limits, uid, start, mode, drop=True)
        with _sandbox_uid() as uid:
            env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
            argv = _namespaced_argv(_get_setup(), rundir, uid, limits)
            return _execute(argv, rundir, env, timeout, limits, uid, start, mode)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def _execute(
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
    """Start, watch until exit or deadline, kill whatever is left, classify.

    `drop` (uid+rlimits): the child itself becomes `uid`/`uid` with no supplementary groups
    (subprocess does that before the hook), then the hook sets the rlimits and no_new_privs.
    """
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
    elif code == _SETUP_FAILED and _SETUP_MARKER in stderr:
        status = "error"
    else:
        status = "passed" if code == 0 else "failed"
    return SandboxResult(status, code, stdout, stderr, seconds, mode, truncated, proc.pid)


def _rlimits(limits: Limits, cpu: int, no_new_privs: bool = False) -> Callable[[], None]:
    """The child-side hook: ceilings apply from exec on and are inherited by all descendants;
    with `no_new_privs` no setuid binary can give the program its privileges back."""
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


@contextmanager
def _sandbox_uid() -> Iterator[int]:
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


def _namespaced_argv(setup: _Setup, rundir: str, uid: int, limits: Limits) -> list[str]:
    """unshare + a root-run setup script that ends by exec'ing the program as `uid`."""
    t = setup.tools
    Path(rundir, "fstab").write_text(_fstab(setup, rundir, uid, limits), encoding="utf-8")
    q = shlex.quote
    script = "\n".join(
        [
            f"fail() {{ echo {q(_SETUP_MARKER)} >&2; exit {_SETUP_FAILED}; }}",
            "trap fail EXIT",
            "set -e",
            'exec 3<"$1/prog.py"',
            f'{q(t["mount"])} -a -T "$1/fstab"',  # one process for all mounts, in file order
            f"{q(t['cat'])} <&3 >/tmp/prog.py",
            "exec 3<&-",
            "cd /tmp",
            f'exec {q(t["setpriv"])} --reuid="$2" --regid="$2" --clear-groups --no-new-privs -- '
            f"{q(sys.executable)} -I prog.py",
        ]
    )
    unshare = [t["unshare"], "-n", "-m", "-p", "-i", "-u", "-f", "--mount-proc", "--"]
    return [*unshare, t["sh"], "-c", script, "sh", rundir, str(uid)]


def _fstab(setup: _Setup, rundir: str, uid: int, limits: Limits) -> str:
    """The mounts made inside the new mount namespace (private propagation: the host sees none).

    Closed directories above the interpreter get a tmpfs with only its prefixes bind-mounted back
    (staged under the run dir first), the other world-writable dirs an empty root-owned tmpfs, and
    /tmp a private tmpfs owned by the sandbox uid: the work dir.
    """
    rows: list[tuple[str, str, str, str]] = []
    tmpfs = "nosuid,nodev,mode=0755"
    for i, (closed, prefixes) in enumerate(setup.prefix_fixes):
        stages = [f"{rundir}/stage{i}_{j}" for j in range(len(prefixes))]
        for prefix, stage in zip(prefixes, stages, strict=True):
            rows.append((prefix, stage, "none", "bind,X-mount.mkdir"))
        rows.append(("arena-sandbox", closed, "tmpfs", f"{tmpfs},size=1m"))
        for prefix, stage in zip(prefixes, stages, strict=True):
            rows.append((stage, prefix, "none", "bind,X-mount.mkdir"))
    for path in _WORLD_WRITABLE:
        if os.path.isdir(path) and not os.path.islink(path):
            rows.append(("arena-sandbox", path, "tmpfs", f"{tmpfs},size=4k"))
    own = f"nosuid,nodev,mode=0700,uid={uid},gid={uid},size={limits.tmpfs_bytes}"
    rows.append(("arena-sandbox", "/tmp", "tmpfs", own))
    return "".join(" ".join(_fstab_escape(f) for f in row) + " 0 0\n" for row in rows)


def _fstab_escape(text: str) -> str:
    """fstab fields are whitespace-separated: octal-escape what would split them."""
    for ch in "\\ \t\n":
        text = text.replace(ch, f"\\{ord(ch):03o}")
    return text


def _get_setup() -> _Setup:
    """Probe once whether full isolation really works on this machine (raises if refused)."""
    global _setup
    with _setup_lock:
        if _setup is None:
            _setup = _probe()
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


_PROBE = """\
import os, socket
print(os.getuid(), os.getgid(), len(os.getgroups()), [n for _, n in socket.if_nameindex()])
"""
_UID_PROBE = """\
import os
nnp = [line.split()[1] for line in open('/proc/self/status') if line.startswith('NoNewPrivs:')]
print(os.getuid(), os.getgid(), len(os.getgroups()), nnp)
"""


def _probe() -> _Setup:
    """Decide the mode by running a real namespaced program and checking what it sees."""
    if os.geteuid() != 0:
        return _Setup(RLIMITS_ONLY, "not running as root")
    if os.environ.get(NO_NAMESPACES_ENV, "") not in ("", "0"):
        return _probe_uid_only(f"{NO_NAMESPACES_ENV} is set")
    tools = {}
    for name in ("unshare", "setpriv", "mount", "cat", "sh"):
        found = shutil.which(name, path=_SYSTEM_PATH)
        if found is None:
            return _probe_uid_only(f"`{name}` not found")
        tools[name] = found
    setup = _Setup(FULL, tools=tools, prefix_fixes=_prefix_fixes())
    with _sandbox_uid() as uid:
        rundir = tempfile.mkdtemp(prefix="arena-sandbox-probe-")
        try:
            Path(rundir, "prog.py").write_text(_PROBE, encoding="utf-8")
            argv = _namespaced_argv(setup, rundir, uid, Limits())
            env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
            r = _execute(argv, rundir, env, 30.0, Limits(), uid, time.monotonic(), FULL)
        finally:
            shutil.rmtree(rundir, ignore_errors=True)
    expected = f"{uid} {uid} 0 ['lo']"
    if r.status != "passed" or r.stdout_tail.strip() != expected:
        detail = (r.stderr_tail.strip().splitlines() or [r.stdout_tail.strip()])[-1:]
        return _probe_uid_only(f"`unshare` probe failed: {r.status} {detail}")
    return setup


def _probe_uid_only(why: str) -> _Setup:
    """Root without namespaces: usable only if the interpreter runs as the sandbox uid."""
    exe = os.path.realpath(sys.executable)
    fix = (
        "run arena with a Python installed where every user can read it (e.g. /usr/bin/python3, "
        "/usr/local or /opt), make unshare work (util-linux, namespaces allowed), "
        "or run as a non-root user"
    )
    closed = _closed_ancestor(exe)
    if closed is not None:
        return _Setup(
            REFUSED,
            f"HumanEval sandbox refused: running as root without namespaces ({why}) and the "
            f"interpreter {exe} is under {closed} (mode {os.stat(closed).st_mode & 0o777:04o}), "
            f"which the unprivileged sandbox uid cannot enter; {fix}",
        )
    with _sandbox_uid() as uid:
        rundir = tempfile.mkdtemp(prefix="arena-sandbox-probe-")
        try:
            Path(rundir, "prog.py").write_text(_UID_PROBE, encoding="utf-8")
            os.chown(rundir, uid, uid)
            env = {"PATH": "/usr/bin:/bin", "HOME": rundir, "LANG": "C.UTF-8"}
            argv = [sys.executable, "-I", "prog.py"]
            r = _execute(
                argv, rundir, env, 30.0, Limits(), uid, time.monotonic(), UID_ONLY, drop=True
            )
        finally:
            shutil.rmtree(rundir, ignore_errors=True)
    expected = f"{uid} {uid} 0 ['1']"
    if r.status != "passed" or r.stdout_tail.strip() != expected:
        detail = (r.stderr_tail.strip().splitlines() or [r.stdout_tail.strip()])[-1]
        return _Setup(
            REFUSED,
            f"HumanEval sandbox refused: running as root without namespaces ({why}) and the "
            f"interpreter {exe} does not run as the unprivileged sandbox uid ({r.status}: "
            f"{detail[:200]}); {fix}",
        )
    return _Setup(UID_ONLY, why)


def _closed_ancestor(path: str) -> str | None:
    """The first directory above `path` that others cannot enter (no o+x), if any."""
    parts = Path(path).parts
    for n in range(2, len(parts)):
        ancestor = str(Path(*parts[:n]))
        if not os.stat(ancestor).st_mode & stat.S_IXOTH:
            return ancestor
    return None


def _prefix_fixes() -> list[tuple[str, list[str]]]:
    """For each closed directory (no o+x) above the interpreter: the prefixes to re-expose."""
    prefixes = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)})
    prefixes = [p for p in prefixes if not any(p.startswith(o + "/") for o in prefixes)]
    fixes: dict[str, list[str]] = {}
    for prefix in prefixes:
        parts = Path(prefix).parts
        for n in range(2, len(parts)):
            ancestor = str(Path(*parts[:n]))
            if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                fixes.setdefault(ancestor, []).append(prefix)
                break
    return sorted(fixes.items())
