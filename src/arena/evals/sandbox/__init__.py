"""Run untrusted, model-written Python in a throwaway, resource-limited process."""
# Every run gets a fresh ``python -I`` (``sys.executable``) in a fresh temp dir with a minimal
# environment (PATH=/usr/bin:/bin, HOME=the work dir, LANG=C.UTF-8, nothing else), in its own
# process group (``start_new_session``), under rlimits set in the child before exec: address space,
# CPU seconds (timeout + 1), file size, open files, processes, no core dumps. Output is read with a
# cap (the last ``Limits.output_bytes`` of each stream are kept).
#
# Isolation ``"namespaces+uid"`` (root, and ``unshare`` works here - probed once, cached):
# the child is started as ``unshare -n -m -p -i -u -f --mount-proc -- /bin/sh -c SETUP``, i.e. in
#
# * a new, empty network namespace (only a loopback that is down: no network at all, not even the
#   host's 127.0.0.1),
# * new IPC and UTS namespaces (no System V IPC objects or POSIX message queues shared with the
#   host; a hostname of its own),
# * a new pid namespace with its own /proc (host processes and their command lines are invisible;
#   when the program exits or is killed, the kernel kills everything it forked),
# * a new mount namespace in which SETUP (running as root, before the drop) mounts a private tmpfs
#   owned by the sandbox uid on /tmp (the work dir: cwd and HOME, ``Limits.tmpfs_bytes`` big, gone
#   with the namespace), read-only-for-others empty tmpfs on the other world-writable dirs
#   (/var/tmp, /dev/shm, /run/lock), and - when the interpreter lives under a directory others
#   cannot enter (pyenv in /root) - re-exposes exactly the interpreter's prefixes there (a tmpfs
#   over the closed directory, the prefixes bind-mounted back at their own paths, everything else
#   hidden);
# * then ``setpriv`` drops to a per-slot unprivileged uid/gid (``exec._UID_BASE`` +
#   pid-derived offset + slot; no supplementary groups, no_new_privs) and execs the interpreter.
#   A uid of its own means RLIMIT_NPROC counts only this sandbox's processes (a fork bomb stops at
#   ``Limits.processes`` without starving anyone else), and it can write nowhere but its private
#   /tmp.
#
# After the run the process group is SIGKILLed and, with uid isolation, every process still owned
# by the sandbox uid too (a program that called ``setsid`` has left the group), then the temp dir is
# removed.
#
# Isolation ``"uid+rlimits"`` (root, but namespaces are unavailable: no ``unshare``, the probe
# failed, or ``ARENA_SANDBOX_NO_NAMESPACES=1``): the program still never runs as root. The child
# drops to a per-slot sandbox uid/gid (no supplementary groups, no_new_privs) before exec, its work
# dir is chowned to that uid, and every process of that uid is killed after the run, exactly as in
# full mode; the network and the world-writable host dirs stay reachable. The interpreter must be
# usable by that uid: a probe runs it as the sandbox uid, and if it cannot (e.g. it lives under a
# 0700 /root/.pyenv and there is no mount namespace to re-expose it) the sandbox refuses with an
# ``ArenaError`` instead of running model-written code as root.
#
# Isolation ``"rlimits-only"`` (not root): the same process, temp dir, environment and rlimits as
# the calling user, with the host's network and file system. A message is logged once; every result
# carries the ``isolation`` it ran under.

from arena.evals.sandbox.exec import (
    FULL,
    REFUSED,
    RLIMITS_ONLY,
    UID_ONLY,
    Limits,
    SandboxResult,
    Status,
    sandbox_uids,
)
from arena.evals.sandbox.probe import NO_NAMESPACES_ENV
from arena.evals.sandbox.run import check_humaneval, isolation, run_python

__all__ = [
    "FULL",
    "NO_NAMESPACES_ENV",
    "REFUSED",
    "RLIMITS_ONLY",
    "UID_ONLY",
    "Limits",
    "SandboxResult",
    "Status",
    "check_humaneval",
    "isolation",
    "run_python",
    "sandbox_uids",
]
