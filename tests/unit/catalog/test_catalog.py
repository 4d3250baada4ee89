"""The catalog data files load, validate, and merge the user's own presets and buckets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from arena.catalog import Bench, Bucket, Preset, estimate_vram_gb, load_catalog
from arena.catalog.loader import (
    BENCH_SPEC,
    BUCKET_SPEC,
    PRESET_SPEC,
    BenchTable,
    BucketTable,
    PresetTable,
    build_catalog,
    builtin_docs,
)
from arena.errors import ArenaError

REQUIRED = (
    "id",
    "title",
    "mode",
    "prompt_tokens",
    "output_tokens",
    "depth",
    "concurrency",
    "reference_concurrency",
    "runs",
    "request_rate",
    "burstiness",
    "num_prompts",
    "max_concurrency",
    "range_ratio",
    "dataset",
    "seed",
)


V1 = [
    "chat",
    "rag-8k",
    "long-output",
    "big-context",
    "multi-turn",
    "office-baseline",
    "sharegpt",
    "monday-peak",
    "reasoning",
]


def test_builtin_has_the_nine_benches_of_the_seed_and_the_two_of_suite_v2(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path / "absent.toml")
    assert list(cat.benches) == [*V1, "concurrency-stress", "rate-sweep"]
    for bench in cat.benches.values():
        for name in REQUIRED:
            assert hasattr(bench, name)
    assert cat.benches["monday-peak"].max_concurrency == 25
    assert cat.benches["big-context"].reference_prompt_tokens == 25000
    assert cat.benches["rag-8k"].concurrency == (5, 10, 20)


def test_builtin_presets_match_the_seed_table(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path / "absent.toml")
    table = {p.id: (p.quality, p.throughput, p.efficiency, p.benches) for p in cat.presets.values()}
    assert table["chat"] == (0.6, 0.3, 0.1, ("chat",))
    assert table["agent"] == (0.7, 0.2, 0.1, ("long-output",))
    assert table["batch"] == (0.2, 0.7, 0.1, ("rag-8k",))
    assert table["reasoning"] == (0.6, 0.3, 0.1, ("reasoning",))
    assert table["aggregate"][:3] == (0.7, 0.2, 0.1)
    agg = cat.presets["aggregate"]
    # suite v1's Aggregate is the mean over its 9 benches; v2's over its tests 01-10
    assert set(agg.within(cat.suites["v1"].bench_ids).benches) == set(cat.suites["v1"].bench_ids)
    assert len(agg.within(cat.suites["v2"].bench_ids).benches) == 10
    assert "rate-sweep" not in agg.benches
    team = cat.presets["team-server"]
    assert (team.quality, team.throughput, team.efficiency) == (0.3, 0.6, 0.1)
    assert (team.benches, team.measure) == (("rate-sweep",), "capacity_rps_5s")
    assert team.within(cat.suites["v1"].bench_ids).benches == ()


def test_buckets_by_total_params(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path / "absent.toml")
    # the seed's classes: < 8B, 8-40B (40 included), > 40B
    assert [cat.size_bucket(p) for p in (0.8, 7.99, 8, 39.9, 40, 40.1, 120, None)] == [
        "small",
        "small",
        "medium",
        "medium",
        "medium",
        "large",
        "large",
        "unknown",
    ]
    assert cat.buckets["unknown"].contains(None)
    assert not cat.buckets["unknown"].contains(3.0)
    assert not cat.buckets["large"].contains(40)
    assert cat.buckets["all"].contains(None)


def test_user_config_adds_preset_and_bucket(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[preset]]\nid = "fast-chat"\ntitle = "Fast chat"\nquality = 0.3\nthroughput = 0.6\n'
        'efficiency = 0.1\nbenches = ["chat"]\n\n'
        '[[bucket]]\nid = "tiny"\ntitle = "Tiny (< 2B)"\nmax_b = 2\n'
    )
    cat = load_catalog(cfg)
    assert cat.presets["fast-chat"].throughput == 0.6
    assert cat.buckets["tiny"].contains(0.8)
    assert not cat.buckets["tiny"].contains(4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[preset]]\nid = "x"\ntitle = "X"\nquality = 0.5\nthroughput = 0.6\nefficiency = 0.1\n'
            'benches = ["chat"]\n',
            r"preset\[0\] \(x\): weights .* = 1\.2; expected 1",
        ),
        (
            '[[preset]]\nid = "x"\ntitle = "X"\nquality = 0.5\nthroughput = 0.4\nefficiency = 0.1\n'
            'benches = ["nope"]\n',
            r"unknown bench 'nope'",
        ),
        (
            '[[bench]]\nid = "b"\ntitle = "B"\nmode = "closed"\noutput_tokens = 5\n'
            'prompt_tokens = [10]\nconcurrency = [1, "2"]\n',
            r"bench\[0\] \(b\): field 'concurrency' = \[1, '2'\]; expected a list of positive",
        ),
        (
            '[[bench]]\nid = "b"\ntitle = "B"\nmode = "closed"\noutput_tokens = 5\n'
            "prompt_tokens = [10]\nconcurrency = [1, 2]\nreference_concurrency = 4\n",
            r"reference_concurrency = 4 is not in concurrency \[1, 2\]$",
        ),
        ('[[bench]]\nid = "b"\ntitle = "B"\nmode = "open"\n', r"missing field 'output_tokens'"),
        (
            '[[bench]]\nid = "b"\ntitle = "B"\nmode = "open"\noutput_tokens = 5\n'
            "request_rate = 1.0\n",
            r"bench\[0\] \(b\): open-loop bench on random data needs 'prompt_tokens'$",
        ),
        ('[[bucket]]\nid = "z"\ntitle = "Z"\nmin_b = 9\nmax_b = 3\n', r"min_b = 9 must be below"),
        ('[[bucket]]\nid = "z"\ntitle = "Z"\ncolour = "red"\n', r"unknown field 'colour'"),
        ('[[bucket]]\nid = "z"\ntitle = "Z"\nmax_inclusive = 1\n', r"expected true or false"),
        ("[[bucket]\n", r"not valid TOML"),
    ],
)
def test_bad_user_config_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    with pytest.raises(ArenaError, match=expected) as info:
        load_catalog(cfg)
    assert str(cfg) in str(info.value)
    assert "\n" not in str(info.value)


def test_builtin_docs_parse_without_user_file() -> None:
    assert len(build_catalog(builtin_docs()).benches) == 11


def test_vram_estimate_is_params_times_bytes() -> None:
    assert estimate_vram_gb(4.0, "bf16") == 8.0
    assert estimate_vram_gb(35.0, "fp8") == 35.0
    assert estimate_vram_gb(120.0, "nvfp4") == 67.5
    assert estimate_vram_gb(None, "bf16") is None
    assert estimate_vram_gb(4.0, "mystery") is None


DERIVED = ("letter", "extra_letters")


@pytest.mark.parametrize(
    ("table", "spec", "record"),
    [
        (BenchTable, BENCH_SPEC, Bench),
        (PresetTable, PRESET_SPEC, Preset),
        (BucketTable, BUCKET_SPEC, Bucket),
    ],
)
def test_table_types_match_their_spec_and_record(
    table: type, spec: dict[str, str], record: type
) -> None:
    """The checks run by spec, the typed table and the frozen record name the same fields."""
    # Bench's v1 letters are derived from suites.toml, not written in a [[bench]] table.
    fields = [f.name for f in dataclasses.fields(record) if f.name not in DERIVED]
    assert list(table.__annotations__) == list(spec) == fields


def test_lists_become_the_tuples_the_records_hold() -> None:
    cat = build_catalog(builtin_docs())
    assert all(isinstance(p.benches, tuple) for p in cat.presets.values())
    assert all(isinstance(b.prompt_tokens, tuple) for b in cat.benches.values())
    assert all(isinstance(b.concurrency, tuple) for b in cat.benches.values())


def test_required_fields_are_those_the_tables_mark() -> None:
    assert BenchTable.__required_keys__ == {"id", "title", "mode", "output_tokens"}
    assert PresetTable.__required_keys__ == {
        "id",
        "title",
        "quality",
        "throughput",
        "efficiency",
        "benches",
    }
    assert BucketTable.__required_keys__ == {"id", "title"}


def test_open_loop_sharegpt_bench_needs_no_prompt_tokens(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[bench]]\nid = "sg"\ntitle = "SG"\nmode = "open"\noutput_tokens = 0\n'
        'request_rate = 1.0\ndataset = "sharegpt"\n'
    )
    assert load_catalog(cfg).benches["sg"].prompt_tokens == ()


def test_suites_oldest_first_with_their_benches_in_order(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path / "absent.toml")
    assert list(cat.suites) == ["v1", "v2"]
    v1, v2 = cat.suites["v1"], cat.suites["v2"]
    assert sorted(v1.bench_ids) == sorted(V1)
    assert v2.bench_ids == (
        "chat",
        "rag-8k",
        "long-output",
        "multi-turn",
        "big-context",
        "concurrency-stress",
        "office-baseline",
        "sharegpt",
        "reasoning",
        "monday-peak",
        "rate-sweep",
    )
    big = next(b for b in v1.benches if b.bench == "big-context")
    assert big.files == ("A_*", "B_*")
    sweep = v2.benches[-1]
    assert (sweep.files, sweep.telemetry, sweep.step_files) == (
        ("11-rate-sweep",),
        "11-telemetry.csv",
        "11-rate-sweep-*.json",
    )
    # the v1 letters the page shows come from suite v1's file stems
    assert (cat.benches["big-context"].letter, cat.benches["big-context"].extra_letters) == (
        "A",
        ("B",),
    )
    assert cat.benches["rate-sweep"].letter is None


def test_a_user_suite_is_added_and_checked(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[suite]]\nid = "mine"\ntitle = "Mine"\n'
        '[[suite.bench]]\nid = "chat"\nfiles = ["chat-run"]\ntelemetry = "chat-power.csv"\n'
    )
    cat = load_catalog(cfg)
    assert list(cat.suites) == ["v1", "v2", "mine"]
    assert cat.suites["mine"].benches[0].telemetry == "chat-power.csv"
    bad = tmp_path / "bad.toml"  # a new path each time: the catalog is cached per path
    bad.write_text(
        '[[suite]]\nid = "bad"\ntitle = "Bad"\n[[suite.bench]]\nid = "nope"\nfiles = ["x"]\n'
    )
    with pytest.raises(ArenaError, match=r"suite\[0\] \(bad\): bench\[0\]: unknown bench 'nope'"):
        load_catalog(bad)
    worse = tmp_path / "worse.toml"
    worse.write_text('[[suite]]\nid = "bad"\ntitle = "Bad"\n[[suite.bench]]\nid = "chat"\n')
    with pytest.raises(ArenaError, match=r"bench\[0\] \(chat\): missing field 'files'"):
        load_catalog(worse)
