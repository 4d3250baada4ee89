"""The unshare command line and mount table that give a sandboxed program its own namespaces."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from arena.evals.sandbox.exec import SETUP_FAILED, SETUP_MARKER, Limits

_WORLD_WRITABLE = ("/var/tmp", "/dev/shm", "/run/lock")


@dataclass
class Setup:
    """The probed isolation mode and the absolute tools it needs (decided once per process)."""

    mode: str
    reason: str = ""
    tools: dict[str, str] = field(default_factory=dict)
    prefix_fixes: list[tuple[str, list[str]]] = field(default_factory=list)


def namespaced_argv(setup: Setup, rundir: str, uid: int, limits: Limits) -> list[str]:
    """unshare + a root-run setup script that ends by exec'ing the program as `uid`."""
    t = setup.tools
    Path(rundir, "fstab").write_text(_fstab(setup, rundir, uid, limits), encoding="utf-8")
    q = shlex.quote
    script = "\n".join(
        [
            f"fail() {{ echo {q(SETUP_MARKER)} >&2; exit {SETUP_FAILED}; }}",
            "trap fail EXIT",
            "set -e",
            'exec 3<"$1/prog.py"',
            f'{q(t["mount"])} -a -T "$1/fstab"',  # one process for all mounts, in file order
            f"{q(t['cat'])} <&3 >/tmp/prog.py",
            "exec 3<&-",
            "cd /tmp",
            f'exec {q(t["setpriv"])} --reuid="$2" --regid="$2" --clear-groups --no-new-privs -- '
            f"{q(base_interpreter())} -I prog.py",
        ]
    )
    unshare = [t["unshare"], "-n", "-m", "-p", "-i", "-u", "-f", "--mount-proc", "--"]
    return [*unshare, t["sh"], "-c", script, "sh", rundir, str(uid)]


def _fstab(setup: Setup, rundir: str, uid: int, limits: Limits) -> str:
    """The mounts made inside the new mount namespace (private propagation: the host sees none)."""
    # Closed directories above the interpreter get a tmpfs with only its prefixes bind-mounted back
    # (staged under the run dir first), the other world-writable dirs an empty root-owned tmpfs, and
    # /tmp a private tmpfs owned by the sandbox uid: the work dir.
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


def closed_ancestor(path: str) -> str | None:
    """The first directory above `path` that others cannot enter (no o+x), if any."""
    parts = Path(path).parts
    for n in range(2, len(parts)):
        ancestor = str(Path(*parts[:n]))
        if not os.stat(ancestor).st_mode & stat.S_IXOTH:
            return ancestor
    return None


def base_interpreter() -> str:
    """The real interpreter behind a venv: a venv under /tmp is hidden by the private /tmp."""
    return os.path.realpath(sys.executable)


def prefix_fixes() -> list[tuple[str, list[str]]]:
    """For each closed directory (no o+x) above the interpreter: the prefixes to re-expose."""
    prefixes = sorted({os.path.realpath(sys.base_prefix)})
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
