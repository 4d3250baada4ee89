"""`arena bench` interrupted: server dying mid-suite, Ctrl-C, kill -9, then `--resume`.

Nothing completed is ever lost: each bench is stored the moment it completes, and a resumed run
finishes the rest without touching what is stored.
"""

from __future__ import annotations

import json
import signal
from typing import Any

from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    ArenaCli,
    arena_cli_fixture,
    fast_config,
    ref_server_fixture,
    template_db_fixture,
    wait_for,
)
from tests.servers.reference import HANG, ReferenceServer

# Four smoke benches. Where a test acts while a bench runs, the server holds every request that
# arrives after the benches the test waits for are stored: the next bench cannot finish first.
SUITE = ["chat", "long-output", "big-context", "office-baseline"]


def stderr_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_server_dying_mid_suite_stops_with_resume_hint(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.hold = lambda: "chat" in arena_cli.stored()
    url, port = ref_server.base_url, ref_server.port
    args = arena_cli.bench_args(url, "--benches", ",".join(SUITE))
    with arena_cli.popen(*args) as proc:
        wait_for(lambda: "chat" in arena_cli.stored(), HANG, "the first bench to be stored")
        ref_server.stop()
        out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 4, err  # the server went away during the run
    lines = stderr_lines(err)
    assert len(lines) == 1, err
    assert "--resume" in lines[0]
    assert url in lines[0]
    assert "Traceback" not in err
    assert out == ""
    # the finished bench is stored; the one the server died in (or refused) is not
    assert arena_cli.stored() == {"chat"}
    before = arena_cli.show()["benches"]["chat"]
    assert (before["completed"], before["failed"]) == (3, 0)
    assert not any(n.startswith(("unreliable", "errors")) for n in before["notes"])

    # the server is back on the same port: --resume finishes the suite with clean results
    with ReferenceServer(fast_config(), port=port):
        res = arena_cli.run(*args, "--resume", "--json")
    assert res.returncode == 0, res.stderr
    benches = json.loads(res.stdout)["benches"]
    assert set(benches) == set(SUITE)
    assert all(benches[b]["failed"] == 0 for b in SUITE), benches
    assert arena_cli.show()["benches"]["chat"] == before


def test_ctrl_c_stores_finished_benches_and_exits_130(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.hold = lambda: "chat" in arena_cli.stored()  # the second bench waits
    args = arena_cli.bench_args(ref_server.base_url, "--benches", "chat,long-output")
    with arena_cli.popen(*args) as proc:
        wait_for(lambda: ref_server.stats.held > 0, HANG, "the second bench to start")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert "--resume" in err
    assert "Traceback" not in err
    assert arena_cli.stored() == {"chat"}
    chat = arena_cli.show()["benches"]["chat"]
    assert (chat["completed"], chat["failed"]) == (3, 0)


def test_kill_9_then_resume_finishes_and_leaves_earlier_benches_untouched(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    benches = ("--benches", ",".join(SUITE))
    args = arena_cli.bench_args(ref_server.base_url, *benches)
    first_two = set(SUITE[:2])
    ref_server.config.hold = lambda: arena_cli.stored() >= first_two  # bench 3 cannot finish
    with arena_cli.popen(*args) as proc:
        wait_for(lambda: arena_cli.stored() >= first_two, HANG, "two benches to be stored")
        proc.send_signal(signal.SIGKILL)  # while bench 3 of 4 runs
        proc.communicate(timeout=HANG)
    assert proc.returncode == -signal.SIGKILL
    assert arena_cli.stored() == first_two  # bench 3 was running, not stored half-done
    before: dict[str, Any] = arena_cli.show()["benches"]

    ref_server.config = fast_config()
    again = arena_cli.bench_args(ref_server.base_url, *benches, "--resume", "--json", quiet=False)
    res = arena_cli.run(*again)
    assert res.returncode == 0, res.stderr
    assert f"resume: skipping stored {', '.join(SUITE[:2])}" in res.stderr
    assert set(json.loads(res.stdout)["benches"]) == set(SUITE)

    after: dict[str, Any] = arena_cli.show()["benches"]
    for bench in SUITE[:2]:
        assert after[bench] == before[bench], bench  # untouched, field for field
    for bench in SUITE[2:]:
        assert after[bench]["failed"] == 0
        assert after[bench]["completed"] > 0
        assert "--resume" in after[bench]["source"]["command"]


def test_resume_measures_unreliable_benches_again(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    """A bench stored as unreliable (> 10 % failed) is not skipped by --resume."""
    ref_server.config.fault = "http500"
    first = arena_cli.bench(ref_server.base_url, "--benches", "chat")
    assert first.returncode == 3, first.stderr  # a failed bench
    assert arena_cli.show()["benches"].get("chat") is None  # a failed attempt is not shown
    ref_server.config.fault = ""
    again = arena_cli.bench(ref_server.base_url, "--benches", "chat", "--resume")
    assert again.returncode == 0, again.stderr
    chat = arena_cli.show()["benches"]["chat"]
    assert chat["failed"] == 0
    assert not any(n.startswith("unreliable") for n in chat["notes"])
