"""Compare on one hardware: a build's run on a second box never lends its numbers to a
comparison on the first, the default falls back to hardware all builds share, and a hardware
they cannot be compared on is one line naming the build and the valid ids."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest

from arena.catalog import load_catalog
from arena.records import HardwareInfo, RunInfo
from arena.service import HardwareChoiceError, compare
from arena.store import BuildView, Store
from tests.conftest import Outcome
from tests.unit.store.test_store import BUILD, REC

CAT = load_catalog()
BF16, FP8 = "qwen-3.6-35b-a3b-bf16", "qwen-3.6-35b-a3b-fp8"
SPARK = "dgx-spark"
BOX = HardwareInfo("box", "My box")


def _on_box(store: Store, build_id: str, run_id: str, factor: float) -> float:
    """Store a newer v2 run of a bundled build on the box, its chat headline `factor` times
    the spark one; returns that box headline."""
    view = store.build(build_id, suite="v2", hardware=SPARK)
    assert view is not None
    chat = view.results["chat"]
    assert chat.tps_per_user is not None
    box_chat = dataclasses.replace(chat, tps_per_user=chat.tps_per_user * factor)
    run = RunInfo(run_id, "v2", "box", date="2027-01-01T00:00:00+00:00")
    store.put_build(view.build, BOX, [box_chat], run=run)
    return chat.tps_per_user * factor


def _chat(store: Store, build_id: str, hardware: str) -> float | None:
    view: BuildView | None = store.build(build_id, suite="v2", hardware=hardware)
    assert view is not None
    return view.results["chat"].tps_per_user


def test_the_default_is_the_suites_hardware_and_never_the_other_boxs_numbers(
    store: Store,
) -> None:
    box_value = _on_box(store, BF16, "bf16-on-box", 10.0)
    c = compare(store, CAT, [BF16, FP8])
    assert c["hardware"] == {"id": SPARK, "name": "DGX Spark · GB10 · 128 GB unified"}
    chat = next(r for r in c["benches"] if r["bench"] == "chat")
    assert chat["values"] == [_chat(store, BF16, SPARK), _chat(store, FP8, SPARK)]
    assert box_value not in chat["values"]
    assert "bf16-on-box" not in chat["run_ids"]
    for row in c["benches"]:
        assert "bf16-on-box" not in row["run_ids"]
    assert c["builds"][0]["run_id"] != "bf16-on-box"
    assert {b["hardware"] for b in c["builds"]} == {"DGX Spark · GB10 · 128 GB unified"}


def test_runs_over_time_name_their_hardware_and_step_only_within_one(store: Store) -> None:
    _on_box(store, BF16, "bf16-on-box", 10.0)
    runs = compare(store, CAT, [BF16, FP8])["runs_over_time"][0]["runs"]
    assert [(r["run_id"] == "bf16-on-box", r["hardware"]) for r in runs][-1] == (True, "box")
    assert {r["hardware"] for r in runs[:-1]} == {SPARK}
    boxed = runs[-1]
    assert boxed["previous"] is None  # the first run on the box: no step from the spark
    assert boxed["delta_pct"] == {}
    assert boxed["same_suite"] is None
    spark = [r for r in runs if r["hardware"] == SPARK]
    assert spark[1]["previous"] == spark[0]["run_id"]


def test_hardware_option_compares_on_the_box_once_every_build_has_run_there(
    store: Store,
) -> None:
    _on_box(store, BF16, "bf16-on-box", 10.0)
    with pytest.raises(HardwareChoiceError) as err:
        compare(store, CAT, [BF16, FP8], hardware="box")
    assert str(err.value) == (
        f"build '{FP8}' has no run on hardware 'box' in suite 'v2'; hardware all of these "
        f"builds have a run on: {SPARK}"
    )
    assert err.value.valid == [SPARK]
    a, b = _on_box(store, BF16, "bf16-on-box-2", 3.0), _on_box(store, FP8, "fp8-on-box", 2.0)
    c = compare(store, CAT, [BF16, FP8], hardware="box")
    assert c["hardware"] == {"id": "box", "name": "My box"}
    chat = next(r for r in c["benches"] if r["bench"] == "chat")
    assert chat["values"] == [a, b]
    assert chat["run_ids"] == ["bf16-on-box-2", "fp8-on-box"]
    assert compare(store, CAT, [BF16, FP8])["hardware"]["id"] == SPARK  # the default stays


def test_without_the_default_hardware_in_common_the_shared_one_is_used(store: Store) -> None:
    box_value = _on_box(store, BF16, "bf16-on-box", 10.0)
    mine = dataclasses.replace(REC, tps_per_user=7.0)
    store.put_build(BUILD, BOX, [mine], run=RunInfo("mine-on-box", "v2", "box", date="2027-01-02"))
    c = compare(store, CAT, [BF16, BUILD.id])
    assert c["hardware"]["id"] == "box"
    chat = next(r for r in c["benches"] if r["bench"] == "chat")
    assert chat["values"] == [box_value, 7.0]


def test_builds_without_a_shared_hardware_and_unknown_ids_are_one_line(store: Store) -> None:
    store.put_build(BUILD, BOX, [REC], run=RunInfo("mine-on-box", "v2", "box", date="2027-01-02"))
    with pytest.raises(HardwareChoiceError) as err:
        compare(store, CAT, [FP8, BUILD.id])
    assert str(err.value) == (
        f"build '{BUILD.id}' has no run on the default hardware '{SPARK}' in suite 'v2', and "
        f"these builds share no hardware there ({FP8}: {SPARK}; {BUILD.id}: box)"
    )
    assert err.value.valid == []
    with pytest.raises(HardwareChoiceError, match=r"^unknown hardware 'nope'; .*: dgx-spark$"):
        compare(store, CAT, [BF16, FP8], hardware="nope")


def test_cli_hardware_option_heads_the_output_and_errors_in_one_line(
    store: Store, seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    res = arena_main("compare", BF16, FP8, "--format", "md", "--db", seeded_db)
    assert res.code == 0, res.stderr
    assert res.stdout.splitlines()[0] == (
        f"# Compare · suite v2 · hardware {SPARK} (DGX Spark · GB10 · 128 GB unified) · "
        f"reference {BF16}"
    )
    _on_box(store, BF16, "bf16-on-box", 10.0)
    _on_box(store, FP8, "fp8-on-box", 2.0)
    res = arena_main(
        "compare", BF16, FP8, "--hardware", "box", "--format", "json", "--db", seeded_db
    )
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["hardware"] == {"id": "box", "name": "My box"}
    assert next(r for r in data["benches"] if r["bench"] == "chat")["run_ids"] == [
        "bf16-on-box",
        "fp8-on-box",
    ]
    bad = arena_main("compare", BF16, FP8, "--hardware", "nope", "--db", seeded_db)
    assert bad.code == 1
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert "unknown hardware 'nope'" in bad.stderr
