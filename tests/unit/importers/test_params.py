"""Parameter counts read off names: the rules, and every name in the shared DGX Spark data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arena.importers import ParsedParams, params_from_name, read_base_models
from arena.importers.suite import base_model
from tests.unit.importers.paths import SHARED

ROOT = Path(__file__).resolve().parents[3]
DATA = SHARED.parent
SUITES = [DATA / "dgx-spark-benchmarks-v1", DATA / "dgx-spark-benchmarks-v2"]
needs_both = pytest.mark.skipif(
    not all(s.is_dir() for s in SUITES), reason=f"shared data v1 and v2 not under {DATA}"
)


@pytest.mark.parametrize(
    ("name", "total", "active", "text"),
    [
        ("Qwen3.5-0.8B", 0.8, None, "0.8B"),
        ("Qwen3.6-35B-A3B", 35, 3, "35B-A3B"),
        ("gpt-oss-20b", 20, None, "20b"),  # a MoE whose name gives no active count: None
        ("Mistral-Small-3.2-24B-Instruct-2506", 24, None, "24B"),
        ("Nemotron-3-Super-120B-A12B", 120, 12, "120B-A12B"),
        ("granite-4.1-8b", 8, None, "8b"),
        ("2.6b", 2.6, None, "2.6b"),
        ("119B", 119, None, "119B"),
        ("Qwen3-30B-A3B-Instruct-2507-FP8", 30, 3, "30B-A3B"),
        ("SmolLM2-135M", 0.135, None, "135M"),
        ("granite-3.1-3b-a800m-instruct", 3, 0.8, "3b-a800m"),
        ("Ling-1T", 1000, None, "1T"),
        ("meta-llama/Llama-3.1-8B-Instruct", 8, None, "8B"),
        ("Qwen2.5-7B-Instruct-1M", 7, None, "7B"),  # 1M is the context length
        ("TinyLlama-1.1B-intermediate-step-1431k-3T", 1.1, None, "1.1B"),  # 3T: tokens
        ("llama-2-7b.Q4_K_M.gguf", 7, None, "7b"),
        ("Qwen_Qwen3-14B-AWQ", 14, None, "14B"),
        ("mpt-7b-8k-instruct", 7, None, "7b"),  # 8k: context
        ("Llama-3.1-70B-Instruct-FP8-W8A8", 70, None, "70B"),  # W8A8: bit widths
    ],
)
def test_a_size_in_the_name_is_read(
    name: str, total: float, active: float | None, text: str
) -> None:
    assert params_from_name(name) == ParsedParams(total, active, text, name)


def test_gemma_e_sizes_are_effective_so_the_total_stays_unknown() -> None:
    # E4B counts 4.5B effective of 8B in all (per-layer embeddings left out): no total given.
    assert params_from_name("gemma-4-E4B-it") == ParsedParams(None, 4, "E4B", "gemma-4-E4B-it")
    assert params_from_name("google/gemma-3n-e2b") == ParsedParams(
        None, 2, "e2b", "google/gemma-3n-e2b"
    )


def test_a_size_before_an_expert_count_is_the_active_count() -> None:
    name = "Llama-4-Scout-17B-16E-Instruct"  # 17B active of 109B in all
    assert params_from_name(name) == ParsedParams(None, 17, "17B-16E", name)


@pytest.mark.parametrize(
    "name",
    [
        "my-model",
        "llama-3.1-instruct",
        "Qwen3.5",
        "Mistral-Small-3.2-Instruct-2506",  # version and date only
        "OLMo-2-1124-Instruct",
        "Mistral-v0.3",
        "phi-4",
        "Kimi-K2-Instruct",
        "Phi-3-mini-128k-instruct",
        "Mixtral-8x7B-v0.1",  # 46.7B in all, not 56B: not read
        "merge-7B-with-13B",  # two totals that disagree: neither is taken
        "moe-A3B",  # an active count without a total
        "",
    ],
)
def test_no_size_is_guessed(name: str) -> None:
    assert params_from_name(name) is None


def test_the_first_name_that_states_a_size_wins() -> None:
    assert params_from_name("acme/house-model", "house-model-13b", "x-7b") == ParsedParams(
        13, None, "13b", "house-model-13b"
    )
    assert params_from_name("Qwen/Qwen3.6-35B-A3B-FP8", "other-7b") == ParsedParams(
        35, 3, "35B-A3B", "Qwen/Qwen3.6-35B-A3B-FP8"
    )
    assert params_from_name("my-model", "") is None


def test_describe_names_the_counts_and_where_they_came_from() -> None:
    moe = ParsedParams(35, 3, "35B-A3B", "Qwen/Qwen3.6-35B-A3B")
    assert (
        moe.describe() == "params 35B / 3B active parsed from '35B-A3B' in 'Qwen/Qwen3.6-35B-A3B'"
    )
    gemma = ParsedParams(None, 4, "E4B", "gemma-4-E4B-it")
    assert (
        gemma.describe() == "params total unknown, 4B active parsed from 'E4B' in 'gemma-4-E4B-it'"
    )


# Read off each name by hand: (total, active); None where the name states no such count.
CHECKPOINTS: dict[str, tuple[float | None, float | None]] = {
    "google/gemma-4-26B-A4B-it": (26, 4),
    "nvidia/Gemma-4-26B-A4B-NVFP4": (26, 4),
    "google/gemma-4-31B-it": (31, None),
    "nvidia/Gemma-4-31B-IT-NVFP4": (31, None),
    "google/gemma-4-E2B-it": (None, 2),
    "google/gemma-4-E4B-it": (None, 4),
    "LiquidAI/LFM2.5-2.6B": (2.6, None),
    "mistralai/Ministral-3-3B-Instruct-2512": (3, None),
    "mistralai/Ministral-3-8B-Instruct-2512": (8, None),
    "RedHatAI/Mistral-Small-3.2-24B-Instruct-2506-NVFP4": (24, None),
    "mistralai/Mistral-Small-4-119B-2603-NVFP4": (119, None),
    "nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16": (4, None),
    "nvidia/NVIDIA-Nemotron-3-Nano-4B-FP8": (4, None),
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16": (30, 3),
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-FP8": (30, 3),
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4": (30, 3),
    "nvidia/Nemotron-3-Nano-Omni-30B-A3B-Reasoning-BF16": (30, 3),
    "nvidia/Nemotron-3-Nano-Omni-30B-A3B-Reasoning-FP8": (30, 3),
    "nvidia/Nemotron-3-Nano-Omni-30B-A3B-Reasoning-NVFP4": (30, 3),
    "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4": (120, 12),
    "Qwen/Qwen3.5-0.8B": (0.8, None),
    "Qwen/Qwen3.5-2B": (2, None),
    "Qwen/Qwen3.5-4B": (4, None),
    "Qwen/Qwen3.5-9B": (9, None),
    "Qwen/Qwen3.6-27B": (27, None),
    "Qwen/Qwen3.6-27B-FP8": (27, None),
    "Qwen/Qwen3.6-35B-A3B": (35, 3),
    "Qwen/Qwen3.6-35B-A3B-FP8": (35, 3),
    "RedHatAI/Qwen3.6-35B-A3B-NVFP4": (35, 3),
}
FOLDERS: dict[str, tuple[float | None, float | None]] = {
    "gemma-4-26b-a4b-it": (26, 4),
    "gemma-4-31b-it": (31, None),
    "gemma-4-e2b-it": (None, 2),
    "gemma-4-e4b-it": (None, 4),
    "lfm2.5-2.6b": (2.6, None),
    "ministral-3-3b-instruct": (3, None),
    "ministral-3-8b-instruct": (8, None),
    "mistral-small-3.2-24b-it": (24, None),
    "mistral-small-4-119b": (119, None),
    "nemotron-3-nano-4b": (4, None),
    "nemotron-3-nano-30b-a3b": (30, 3),
    "nemotron-3-nano-omni-30b-a3b-reasoning": (30, 3),
    "nemotron-3-super-120b-a12b": (120, 12),
    "qwen-3.5-0.8b": (0.8, None),
    "qwen-3.5-2b": (2, None),
    "qwen-3.5-4b": (4, None),
    "qwen-3.5-9b": (9, None),
    "qwen-3.6-27b": (27, None),
    "qwen-3.6-35b-a3b": (35, 3),
}


def _runs(suite: Path) -> list[tuple[str, str]]:
    """(checkpoint id, model folder name) of every run dir in one shared suite."""
    metas = sorted((suite / "results").rglob("meta.json"))
    return [(json.loads(m.read_text("utf-8"))["model"], m.parent.parent.name) for m in metas]


@needs_both
def test_every_checkpoint_and_folder_in_the_shared_data_reads_as_written() -> None:
    runs = [r for s in SUITES for r in _runs(s)]
    assert {c for c, _ in runs} == set(CHECKPOINTS)
    assert {f for _, f in runs} == set(FOLDERS)
    for table in (CHECKPOINTS, FOLDERS):
        for name, counts in table.items():
            parsed = params_from_name(name)
            assert parsed is not None, name
            assert (parsed.total_b, parsed.active_b) == counts, name
            assert parsed.text.lower() in name.lower()
    for checkpoint, folder in runs:
        assert CHECKPOINTS[checkpoint] == FOLDERS[folder], (checkpoint, folder)


# Names round the model card's count; the curated table keeps the card's figure.
ROUNDED = {
    "google/gemma-4-26B-A4B-it",  # 25.2B / 3.8B active
    "google/gemma-4-31B-it",  # 30.7B
    "google/gemma-4-E2B-it",  # 2.3B effective, 5.1B in all
    "google/gemma-4-E4B-it",  # 4.5B effective, 8B in all
    "mistralai/Ministral-3-3B-Instruct-2512",  # 3.4B
    "mistralai/Ministral-3-8B-Instruct-2512",  # 8.4B
    "nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16",  # 3.97B
    "nvidia/Nemotron-3-Nano-Omni-30B-A3B-Reasoning-BF16",  # 31B
    "LiquidAI/LFM2.5-2.6B",  # 2.69B
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16",  # 3.5B active
}
# MoE names that state no active count; the card gives one.
NO_ACTIVE_IN_NAME = {"mistralai/Mistral-Small-4-119B-2603"}  # 6.5B active of 119B


@needs_both
def test_suite_names_agree_with_the_curated_table() -> None:
    bases, _ = read_base_models(ROOT / "src" / "arena" / "dataset" / "base_models.toml")
    curated = {b.id: b for b in bases}
    checked = set()
    for checkpoint, _ in [*_runs(SUITES[0]), *_runs(SUITES[1])]:
        base = curated[base_model(checkpoint)]
        parsed = params_from_name(checkpoint)
        assert parsed is not None
        assert base.params_total_b is not None
        assert base.params_active_b is not None
        name_active = parsed.active_b if parsed.active_b is not None else parsed.total_b
        if base.id in NO_ACTIVE_IN_NAME:
            assert parsed.active_b is None
            assert parsed.total_b == base.params_total_b
            checked.add(base.id)
            continue
        if base.id in ROUNDED:
            if parsed.total_b is not None:
                assert parsed.total_b == pytest.approx(base.params_total_b, rel=0.15)
            assert name_active == pytest.approx(base.params_active_b, rel=0.15)
        else:
            assert (parsed.total_b, name_active) == (base.params_total_b, base.params_active_b)
        # a name states an active count exactly where the card's count differs from the total
        assert (parsed.active_b is not None) == (base.params_active_b != base.params_total_b)
        checked.add(base.id)
    assert checked == set(curated)
    assert checked > ROUNDED
