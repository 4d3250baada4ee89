"""Hardware profiles: the bundled file, its sources, and one clear line per bad field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from arena.catalog import HardwareProfile, load_catalog
from arena.catalog.loader import HARDWARE_SPEC, HardwareTable, build_catalog, builtin_docs
from arena.errors import ArenaError


def test_the_bundled_box_has_its_profile_and_every_profile_a_source(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path / "none.toml")
    spark = cat.hardware["dgx-spark"]  # the hardware id of the bundled data
    assert (spark.memory_gb, spark.memory_bandwidth_gbs) == (128, 273)
    assert (cat.hardware["rtx-4090"].memory_gb, cat.hardware["rtx-4090"].memory_bandwidth_gbs) == (
        24,
        1008,
    )
    assert cat.hardware["rtx-5090"].memory_bandwidth_gbs == 1792
    assert {"m3-max", "m4-max"} <= set(cat.hardware)
    assert all(h.source.startswith(("https://", "http://")) for h in cat.hardware.values())


def test_table_type_spec_and_record_name_the_same_fields() -> None:
    fields = [f.name for f in dataclasses.fields(HardwareProfile)]
    assert list(HardwareTable.__annotations__) == list(HARDWARE_SPEC) == fields


GOOD = 'id = "box"\nname = "Box"\nmemory_gb = 48\nmemory_bandwidth_gbs = 500\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, r"hardware\[0\] \(box\): missing field 'source'$"),
        (
            GOOD + 'source = "a spec sheet"\n',
            r"field 'source' = 'a spec sheet'; expected an http\(s\) URL",
        ),
        (
            GOOD.replace("48", "-1") + 'source = "https://x.example/box"\n',
            r"field 'memory_gb' = -1; expected a positive number$",
        ),
        (
            GOOD + 'source = "https://x.example/box"\nbandwidth = 3\n',
            r"unknown field 'bandwidth'",
        ),
    ],
)
def test_a_bad_profile_is_one_line_naming_file_entry_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[[hardware]]\n" + text)
    with pytest.raises(ArenaError, match=expected) as info:
        load_catalog(cfg)
    assert str(info.value).startswith(str(cfg))
    assert "\n" not in str(info.value)


def test_a_user_profile_is_added_and_may_replace_a_bundled_one() -> None:
    user = {
        "hardware": [
            {
                "id": "dgx-spark",
                "name": "Spark, measured",
                "memory_gb": 119.7,
                "memory_bandwidth_gbs": 250,
                "source": "https://example.org/my-stream-run",
            }
        ]
    }
    cat = build_catalog([*builtin_docs(), ("config.toml", user)])
    assert cat.hardware["dgx-spark"].memory_bandwidth_gbs == 250
    assert "rtx-4090" in cat.hardware
