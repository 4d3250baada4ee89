"""`arena leaderboard` within a memory budget, and the roofline in `arena show`."""

from __future__ import annotations

import json
from collections.abc import Callable

from arena.catalog import load_catalog
from tests.conftest import Outcome


def test_budget_and_profile_give_the_same_board(
    seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    memory = load_catalog().hardware["rtx-5090"].memory_gb
    by_gb = arena_main("leaderboard", "--format", "json", "--max-vram-gb", str(memory),
                       "--db", seeded_db)  # fmt: skip
    by_box = arena_main("leaderboard", "--format", "json", "--hardware-profile", "rtx-5090",
                        "--db", seeded_db)  # fmt: skip
    assert by_gb.code == by_box.code == 0
    assert json.loads(by_gb.stdout) == json.loads(by_box.stdout)
    data = json.loads(by_gb.stdout)
    assert data["max_vram_gb"] == memory
    assert data["hidden_over_budget"] > 0
    assert all(r["vram_gb"] is None or r["vram_gb"] <= memory for r in data["rows"])


def test_the_table_caption_says_how_many_were_hidden(
    seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    data = json.loads(arena_main("leaderboard", "--format", "json", "--max-vram-gb", "24",
                                 "--db", seeded_db).stdout)  # fmt: skip
    res = arena_main("leaderboard", "--max-vram-gb", "24", "--db", seeded_db)
    flat = " ".join(res.stdout.split())
    assert f"Memory budget 24 GB: {data['hidden_over_budget']} builds over it hidden" in flat


def test_bad_budget_flags_are_one_line(seeded_db: str, arena_main: Callable[..., Outcome]) -> None:
    for args, needle in [
        (("--hardware-profile", "toaster"), "--hardware-profile 'toaster': unknown"),
        (("--max-vram-gb", "-2"), "expected a number of GB above 0"),
        (("--max-vram-gb", "8", "--hardware-profile", "rtx-4090"), "not both"),
    ]:
        res = arena_main("leaderboard", *args, "--db", seeded_db)
        assert res.code == 1, args
        assert needle in res.stderr, args
        assert res.stderr.count("\n") == 1, args


def test_show_prints_the_roofline_and_its_limits(
    seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    res = arena_main("show", "nemotron-3-super-120b-a12b-nvfp4", "--db", seeded_db)
    flat = " ".join(res.stdout.split())
    assert "Roofline: decode tok/s per user as a share of 40.44 tok/s" in flat
    assert "leaves out KV-cache" in flat
