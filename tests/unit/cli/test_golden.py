"""leaderboard, show and export on the bundled data give the same bytes as the committed goldens."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from typer.testing import CliRunner

from arena.cli import common
from arena.cli.app import app

GOLDEN = Path(__file__).with_name("golden.json")
STORED_AT = re.compile(r'"recorded_at": "[^"]*"')
PRESETS = ("aggregate", "chat", "agent", "batch", "reasoning")
V2_BUILDS = (
    "qwen-3.5-0.8b-bf16",
    "ministral-3-3b-instruct-bf16",
    "nemotron-3-super-120b-a12b-nvfp4",
)
BUILDS = (
    "qwen-3.5-0.8b-bf16",
    "qwen-3.6-35b-a3b-fp8",
    "gemma-4-26b-a4b-it-nvfp4-v23",
    "nemotron-3-nano-omni-30b-a3b-reasoning-nvfp4",
    "mistral-small-3.2-24b-it-nvfp4",
)


def _commands() -> list[list[str]]:
    # suite v1 as pinned before runs and suites existed, then suite v2 (the default view)
    cmds: list[list[str]] = []
    for preset in PRESETS:
        for fmt in ("table", "md", "csv", "json"):
            cmds.append(["leaderboard", "--preset", preset, "--format", fmt, "--suite", "v1"])
    for bucket in ("small", "medium", "large"):
        cmds.append(["leaderboard", "--bucket", bucket, "--format", "json", "--suite", "v1"])
    cmds.append(["leaderboard", "--weights", "50,40,10", "--format", "csv", "--suite", "v1"])
    for build in BUILDS:
        cmds.append(["show", build, "--suite", "v1"])
        cmds.append(["show", build, "--format", "json", "--suite", "v1"])
    for preset in (*PRESETS, "team-server"):
        for fmt in ("table", "json"):
            cmds.append(["leaderboard", "--preset", preset, "--format", fmt])
    for bucket in ("small", "medium", "large", "unknown"):
        cmds.append(["leaderboard", "--bucket", bucket, "--format", "json"])
    for build in V2_BUILDS:
        cmds.append(["show", build])
        cmds.append(["show", build, "--format", "json"])
    for fmt in ("json", "csv", "md"):
        cmds.append(["export", "--format", fmt])
    return cmds


def _outputs(db: str) -> dict[str, str]:
    runner = CliRunner()
    widths = common.console.width, common.err_console.width
    common.console.width = common.err_console.width = 160
    try:
        out: dict[str, str] = {}
        for cmd in _commands():
            result = runner.invoke(app, [*cmd, "--db", db], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            # when a run was stored in this database is the one fact that differs per seeding
            out[" ".join(cmd)] = STORED_AT.sub('"recorded_at": "<when stored>"', result.stdout)
        return out
    finally:
        common.console.width, common.err_console.width = widths


def test_outputs_match_the_goldens(seeded_db: str) -> None:
    got = _outputs(seeded_db)
    if os.environ.get("ARENA_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", "utf-8")
    want = json.loads(GOLDEN.read_text("utf-8"))
    assert list(got) == list(want)
    for cmd, text in want.items():
        assert got[cmd] == text, f"arena {cmd}: output changed"
