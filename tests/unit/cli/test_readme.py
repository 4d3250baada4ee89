"""The README's commands stay true: every `arena ...` line names real commands and options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer.main
from typer.core import TyperCommand, TyperGroup

from arena.cli.app import app

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_commands() -> list[list[str]]:
    """`arena ...` lines inside the README's code blocks, comments stripped."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text("utf-8"), flags=re.S)
    cmds = []
    for block in blocks:
        block = block.replace("\\\n", " ")
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("arena "):
                cmds.append(shlex.split(line)[1:])
    return cmds


def test_readme_has_the_two_make_commands() -> None:
    text = README.read_text("utf-8")
    head = text[:1200]
    assert "make serve" in head
    assert "make test" in head
    makefile = (README.parent / "Makefile").read_text("utf-8")
    assert re.search(r"^serve:", makefile, re.M)
    assert re.search(r"^test:", makefile, re.M)
    ci = (README.parent / ".ci" / "run").read_text("utf-8")
    assert "make test" in ci


def options(cmd: TyperCommand | TyperGroup) -> set[str]:
    """Every option spelling a command accepts, `--help` included."""
    names = {"--help"}
    for param in cmd.params:
        names.update(param.opts, param.secondary_opts)
    return names


def test_every_readme_command_and_option_exists() -> None:
    cmds = readme_commands()
    assert len(cmds) >= 10
    root = typer.main.get_command(app)
    for args in cmds:
        words = [a for a in args if not a.startswith("-")]
        cmd = root
        path = []
        for w in words:
            sub = cmd.commands.get(w) if isinstance(cmd, TyperGroup) else None
            if sub is None:
                break
            cmd = sub
            path.append(w)
        assert path, f"README command not found: arena {' '.join(args)}"
        for opt in (a.split("=")[0] for a in args if a.startswith("--")):
            assert opt in options(cmd), f"README uses {opt} but `arena {' '.join(path)}` lacks it"
