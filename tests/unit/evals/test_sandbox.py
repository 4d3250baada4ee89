"""The HumanEval sandbox stops what model-written code can do wrong: loops, forks, memory, network,
writes outside its dir, floods of output, reading our secrets."""

from __future__ import annotations

import ast
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from arena.errors import ArenaError
from arena.evals import sandbox
from arena.evals.sandbox import FULL, UID_ONLY, Limits, run_python
from arena.evals.sandbox import run as sandbox_run
from arena.evals.sandbox.mounts import closed_ancestor


@pytest.fixture
def isolated() -> None:
    """Network/uid tests need root; as root (here and in CI) full isolation must really work."""
    if os.geteuid() != 0:
        pytest.skip("network and uid isolation need root (unshare -n, setuid)")
    assert sandbox.isolation() == FULL


def _live_pids(pred: str, value: int) -> list[int]:
    """Non-zombie processes whose uid (pred="uid") or process group (pred="pgid") matches."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            uid = entry.stat().st_uid
        except (FileNotFoundError, ProcessLookupError):
            continue
        state, pgid = fields[0], int(fields[2])
        if state not in ("Z", "X") and (uid if pred == "uid" else pgid) == value:
            found.append(int(entry.name))
    return found


def _assert_nothing_left(r: sandbox.SandboxResult) -> None:
    """The run's process group is gone, and so is everything its uids own."""
    assert r.pgid is not None
    if r.isolation != UID_ONLY:  # without a pid namespace, killed orphans may linger as zombies
        with pytest.raises(ProcessLookupError):  # until the host's init reaps them
            os.killpg(r.pgid, 0)
    assert _live_pids("pgid", r.pgid) == []
    if r.isolation in (FULL, UID_ONLY):
        assert [p for uid in sandbox.sandbox_uids() for p in _live_pids("uid", uid)] == []


def test_exit_codes_map_to_status() -> None:
    """Exit 0 passes, an assertion or exit code fails, and the code is kept."""
    ok = run_python("print('hi')")
    bad = run_python("assert 1 == 2")
    three = run_python("raise SystemExit(3)")
    assert (ok.status, ok.returncode, ok.stdout_tail) == ("passed", 0, "hi\n")
    assert bad.status == "failed"
    assert "AssertionError" in bad.stderr_tail
    assert (three.status, three.returncode) == ("failed", 3)


def test_infinite_loop_times_out_and_leaves_no_process() -> None:
    """Killed at the deadline, group and all."""
    r = run_python("while True:\n    pass\n", timeout=2)
    assert r.status == "timeout"
    assert 2 <= r.seconds < 4
    _assert_nothing_left(r)


def test_escaped_descendants_are_killed_too() -> None:
    """A child that left the process group (setsid) still dies with the run."""
    src = (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\ntime.sleep(60)\n"
    )
    r = run_python(src, timeout=1.5)
    assert r.status == "timeout"
    _assert_nothing_left(r)


def test_cpu_rlimit_stops_a_spinner_before_the_wall_clock() -> None:
    """RLIMIT_CPU: the kernel kills a busy loop after its CPU seconds (soft 1 s, hard 2 s)."""
    r = run_python("while True:\n    pass\n", timeout=20, limits=Limits(cpu_seconds=1))
    assert r.status == "failed"
    assert r.seconds < 8


def test_memory_bomb_is_a_memory_error_not_the_host_oom() -> None:
    """RLIMIT_AS: an 8 GiB allocation fails inside the program."""
    r = run_python("b = bytearray(8 * 1024**3)\n")
    assert r.status == "failed"
    assert "MemoryError" in r.stderr_tail


def test_file_size_and_open_files_limits() -> None:
    """RLIMIT_FSIZE and RLIMIT_NOFILE apply in the work dir."""
    big = run_python(
        "open('big', 'wb').write(b'x' * (1024 * 1024))\n", limits=Limits(file_size=4096)
    )
    many = run_python("fs = [open('prog.py') for _ in range(100)]\n", limits=Limits(open_files=32))
    assert big.status == "failed"
    assert many.status == "failed"
    assert "Too many open files" in many.stderr_tail


def test_fork_bomb_is_stopped_and_the_host_stays_fine(isolated: None) -> None:
    """RLIMIT_NPROC on the sandbox's own uid caps forks; the run ends and nothing survives."""
    count = (
        "import os, time\nn = 0\nfor _ in range(1000):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(60)\n"
        "        os._exit(0)\n    n += 1\nprint(n)\n"
    )
    capped = run_python(count, timeout=5, limits=Limits(processes=20))
    bomb = run_python(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        timeout=3,
    )
    assert capped.status == "passed"
    assert int(capped.stdout_tail) < 20
    assert bomb.status == "timeout"
    _assert_nothing_left(capped)
    _assert_nothing_left(bomb)
    assert subprocess.run(["true"], check=False).returncode == 0


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port the test process listens on (host loopback), accepting in the background."""
    server = socket.create_server(("127.0.0.1", 0))
    port = int(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join()
    server.close()


def test_no_network_inside_even_to_host_loopback(isolated: None, listener: int) -> None:
    """The same connection succeeds from the test and fails from the sandbox: isolation, not a
    closed port."""
    socket.create_connection(("127.0.0.1", listener), timeout=2).close()
    src = (
        "import socket, sys\n"
        f"for addr in [('127.0.0.1', {listener}), ('1.1.1.1', 53)]:\n"
        "    try:\n"
        "        socket.create_connection(addr, timeout=2).close()\n"
        "        print('connected', addr)\n"
        "    except OSError as exc:\n"
        "        print('blocked', addr, exc)\n"
    )
    r = run_python(src)
    assert r.status == "passed"
    assert "connected" not in r.stdout_tail
    assert r.stdout_tail.count("blocked") == 2


def test_cannot_write_outside_its_dir(isolated: None, tmp_path: Path) -> None:
    """The unprivileged uid cannot write to /etc or to a root-owned dir; its own dir works."""
    theirs = tmp_path / "root-owned"
    theirs.mkdir(mode=0o755)
    targets = ["/etc/arena-sandbox-test", str(theirs / "pwned"), "/var/tmp/arena-sandbox-test"]
    src = (
        "import sys\n"
        f"for path in {targets!r}:\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "        print('wrote', path)\n"
        "    except OSError as exc:\n"
        "        print(type(exc).__name__, path)\n"
        "open('mine', 'w').write('ok')\n"
        "print(open('mine').read())\n"
    )
    r = run_python(src)
    assert r.status == "passed"
    assert "wrote" not in r.stdout_tail
    assert "PermissionError /etc/arena-sandbox-test" in r.stdout_tail
    assert r.stdout_tail.endswith("ok\n")
    assert not Path("/etc/arena-sandbox-test").exists()
    assert not (theirs / "pwned").exists()
    assert not Path("/var/tmp/arena-sandbox-test").exists()


def test_runs_as_its_own_uid_and_sees_only_its_processes(isolated: None) -> None:
    """uid/gid dropped, no groups, a private /proc (host command lines are not visible)."""
    src = (
        "import os\n"
        "print(os.getuid(), os.getgid(), os.getgroups())\n"
        "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
    )
    r = run_python(src)
    ids, pids = r.stdout_tail.splitlines()
    uid = int(ids.split()[0])
    assert uid in sandbox.sandbox_uids()
    assert ids == f"{uid} {uid} []"
    assert pids == "[1]"


def test_output_is_capped_to_the_tail() -> None:
    """A flood of output keeps only the last bytes of each stream."""
    src = (
        "import sys\n"
        "for i in range(20000):\n"
        "    print(f'line {i}')\n"
        "    print(f'err {i}', file=sys.stderr)\n"
    )
    r = run_python(src, limits=Limits(output_bytes=1000))
    assert r.status == "passed"
    assert r.truncated
    assert len(r.stdout_tail) <= 1000
    assert len(r.stderr_tail) <= 1000
    assert r.stdout_tail.endswith("line 19999\n")
    assert r.stderr_tail.endswith("err 19999\n")


def test_environment_has_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from our environment reaches the program; only a fixed minimal set."""
    monkeypatch.setenv("ARENA_SECRET", "hunter2")
    monkeypatch.setenv("PYTHONPATH", "/nonexistent")
    r = run_python("import os, sys\nprint(sorted(os.environ))\nprint(sys.flags.isolated)\n")
    names, isolated_flag = r.stdout_tail.splitlines()
    assert "ARENA_SECRET" not in names
    assert "hunter2" not in r.stdout_tail
    assert set(ast.literal_eval(names)) <= {"PATH", "HOME", "LANG", "PWD", "OLDPWD"}
    assert isolated_flag == "1"


def test_concurrent_runs_are_independent() -> None:
    """Four at once (the eval grades in worker threads): each gets its own dir and result."""
    srcs = [f"open('f', 'w').write('{i}')\nprint(open('f').read())\n" for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run_python, srcs))
    assert [r.stdout_tail for r in results] == [f"{i}\n" for i in range(8)]


def test_no_temp_dirs_left_behind() -> None:
    """Every run removes its host temp dir."""
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("arena-sandbox-*"))
    run_python("open('x', 'w').write('y')\n")
    run_python("while True:\n    pass\n", timeout=0.5)
    assert set(Path(tempfile.gettempdir()).glob("arena-sandbox-*")) <= before


def test_could_not_start_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sandbox that cannot start is "error", never a failed answer."""
    setup = sandbox_run._get_setup()
    if setup.mode == FULL:
        monkeypatch.setitem(setup.tools, "unshare", "/nonexistent/unshare")
    else:
        monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    r = run_python("pass")
    assert r.status == "error"
    assert r.returncode is None


def test_ipc_and_uts_namespaces_are_private(isolated: None) -> None:
    """`unshare -i -u`: the program's IPC and UTS namespaces are not the host's."""
    src = "import os\nprint(os.readlink('/proc/self/ns/ipc'), os.readlink('/proc/self/ns/uts'))\n"
    r = run_python(src)
    ipc, uts = r.stdout_tail.split()
    assert ipc != os.readlink("/proc/self/ns/ipc")
    assert uts != os.readlink("/proc/self/ns/uts")


# -- root without namespaces: never run as root ------------------------------------------------


def _system_python() -> str:
    """An interpreter every user can run (outside 0700 dirs such as /root/.pyenv)."""
    for name in ("python3", "python3.11", "python3.12", "python3.13"):
        found = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
        if found and closed_ancestor(os.path.realpath(found)) is None:
            return found
    pytest.skip("no world-readable system python3 to run the sandbox uid with")


@pytest.fixture
def no_namespaces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Root, but the sandbox is made to believe unshare is unavailable (probed afresh)."""
    if os.geteuid() != 0:
        pytest.skip("the uid drop needs root")
    monkeypatch.setenv(sandbox.NO_NAMESPACES_ENV, "1")
    monkeypatch.setattr(sandbox_run, "_setup", None)


def test_fallback_runs_as_the_sandbox_uid_never_root(
    no_namespaces: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uid/gid dropped, no groups, no_new_privs; root-owned files stay untouched."""
    monkeypatch.setattr(sys, "executable", _system_python())
    theirs = tmp_path / "root-owned"
    theirs.mkdir(mode=0o755)
    src = (
        "import os\n"
        "nnp = [l.split()[1] for l in open('/proc/self/status') if l.startswith('NoNewPrivs')]\n"
        "print(os.getuid(), os.geteuid(), os.getgid(), os.getgroups(), nnp[0])\n"
        "for path in ['/etc/arena-sandbox-test', " + repr(str(theirs / "pwned")) + "]:\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "        print('wrote', path)\n"
        "    except OSError as exc:\n"
        "        print(type(exc).__name__)\n"
        "open('mine', 'w').write('ok')\n"
    )
    r = run_python(src)
    ids, *writes = r.stdout_tail.splitlines()
    uid = int(ids.split()[0])
    assert sandbox.isolation() == UID_ONLY
    assert r.isolation == UID_ONLY
    assert r.status == "passed", r.stderr_tail
    assert uid in sandbox.sandbox_uids()
    assert ids == f"{uid} {uid} {uid} [] 1"
    assert writes == ["PermissionError", "PermissionError"]
    assert not Path("/etc/arena-sandbox-test").exists()
    assert not (theirs / "pwned").exists()


def test_fallback_kills_escaped_descendants_and_caps_forks(
    no_namespaces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A setsid child dies with the run (killed by uid); RLIMIT_NPROC binds the non-root uid."""
    monkeypatch.setattr(sys, "executable", _system_python())
    escape = (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\ntime.sleep(60)\n"
    )
    count = (
        "import os, time\nn = 0\nfor _ in range(1000):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(60)\n"
        "        os._exit(0)\n    n += 1\nprint(n)\n"
    )
    escaped = run_python(escape, timeout=1.5)
    capped = run_python(count, timeout=5, limits=Limits(processes=20))
    assert escaped.isolation == UID_ONLY
    assert escaped.status == "timeout"
    _assert_nothing_left(escaped)
    assert capped.status == "passed"
    assert int(capped.stdout_tail) < 20
    _assert_nothing_left(capped)


def test_fallback_refuses_an_interpreter_the_sandbox_uid_cannot_reach(
    no_namespaces: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Interpreter under a 0700 dir and no mount namespace: one-line ArenaError, nothing runs."""
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    python = closed / "python3"
    shutil.copy2(os.path.realpath(_system_python()), python)
    monkeypatch.setattr(sys, "executable", str(python))
    marker = tmp_path / "ran"
    with pytest.raises(ArenaError) as info:
        run_python(f"open({str(marker)!r}, 'w').write('x')\n")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("HumanEval sandbox refused: running as root without namespaces")
    assert str(python) in message
    assert "cannot enter" in message
    assert "non-root user" in message
    assert not marker.exists()
