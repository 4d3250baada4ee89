"""Fresh machine: the first `arena leaderboard` creates, migrates and seeds the default db."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from arena.dataset import load_bundled


def test_first_leaderboard_on_fresh_machine_lists_the_30_v2_builds(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ARENA_DB", "ARENA_CONFIG")}
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    exe = Path(sys.executable).with_name("arena")  # this environment's, whatever PATH says
    assert exe.is_file(), "console script 'arena' is not installed"
    out = subprocess.run(
        [exe, "leaderboard", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    board = json.loads(out.stdout)
    expected = {r.build_id for r in load_bundled("dgx_spark_v2.json").runs}
    assert len(expected) == 30
    assert board["suite"] == "v2"  # the newest suite with data
    assert {r["model"] for r in board["rows"]} == expected
    assert [(s["id"], s["builds"]) for s in board["suites"]] == [("v1", 23), ("v2", 30)]
    assert (tmp_path / "data" / "arena" / "arena.db").is_file()
    table = subprocess.run(
        [exe, "leaderboard"],
        env={**env, "COLUMNS": "160"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "qwen" in table.stdout.lower()
    assert "CC-BY-4.0" in table.stdout


def test_bundled_dataset_matches_a_rebuild_from_the_shared_files(tmp_path: Path) -> None:
    """The committed derived files are what scripts/build_dataset.py produces today."""
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [
            sys.executable,
            str(root / "scripts" / "build_dataset.py"),
            "--data",
            str(root.parent / "shared" / "data"),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for name in ("dgx_spark_v1.json", "dgx_spark_v2.json"):
        committed = (root / "src" / "arena" / "dataset" / name).read_text("utf-8")
        assert json.loads((tmp_path / name).read_text("utf-8")) == json.loads(committed), name
