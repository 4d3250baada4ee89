"""The suite importer over every run directory of the DGX Spark data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.catalog import load_catalog
from arena.importers import read_suite
from arena.importers.names import display_name
from arena.importers.suite_meta import base_model, engine_version, precision_of
from tests.unit.importers.paths import RESULTS, RUN_DIRS, needs_shared

CATALOG = load_catalog(Path("/nonexistent/config.toml"))
NO_REASONING = {
    "gemma-4-26b-a4b-it-bf16-v23",
    "gemma-4-26b-a4b-it-mtp-v23",
    "gemma-4-26b-a4b-it-nvfp4-v23",
    "mistral-small-3.2-24b-it-nvfp4",
    "nemotron-3-nano-omni-30b-a3b-reasoning-bf16",
    "nemotron-3-nano-omni-30b-a3b-reasoning-fp8",
    "nemotron-3-nano-omni-30b-a3b-reasoning-nvfp4",
    "qwen-3.6-27b-fp8",
    "qwen-3.6-35b-a3b-fp8",
}
BOOTLOG_VRAM = {
    "nemotron-3-nano-4b-bf16": 7.98,  # 7.43 GiB
    "nemotron-3-super-120b-a12b-nvfp4": 80.56,  # 75.03 GiB
    "qwen-3.6-35b-a3b-bf16": 69.46,  # 64.69 GiB
}


@needs_shared
def test_all_run_dirs_found() -> None:
    assert len(RUN_DIRS) == 23


@needs_shared
@pytest.mark.parametrize("run_dir", RUN_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_import_run_dir(run_dir: Path) -> None:
    suite = read_suite(run_dir, CATALOG)
    build = suite.build
    assert build.id == f"{run_dir.parent.name}-{run_dir.name}"
    ids = {r.bench_id for r in suite.results}
    v1 = set(CATALOG.suites["v1"].bench_ids)
    assert suite.run is not None
    assert suite.run.suite == "v1"
    if build.id in NO_REASONING:
        assert ids == v1 - {"reasoning"}
        assert suite.warnings == ["no D_*.json: bench 'reasoning' absent"]
    else:
        assert ids == v1
        assert suite.warnings == []
    for record in suite.results:
        assert record.tps_per_user is not None
        assert record.tps_per_user > 0
        assert record.source.file is not None
    big = next(r for r in suite.results if r.bench_id == "big-context")
    assert {r["file"][0] for r in big.rows} == {"A", "B"}
    assert big.source.file is not None
    assert big.source.file.startswith("A_")
    assert suite.hardware.id == "dgx-spark" == build.hardware_id
    assert build.engine == "vllm"
    assert build.run_date is not None
    assert build.server_config["served_name"]
    if build.id in BOOTLOG_VRAM:
        assert (build.vram_gb, build.vram_method) == (BOOTLOG_VRAM[build.id], "engine-log")
        assert build.vram_source == "_bootlog.txt"
    else:
        assert (build.vram_gb, build.vram_method, build.vram_source) == (None, None, None)


@needs_shared
def test_ids_and_names_unique() -> None:
    builds = [read_suite(d, CATALOG).build for d in RUN_DIRS]
    assert len({b.id for b in builds}) == len({b.name for b in builds}) == 23


@needs_shared
def test_specific_builds() -> None:
    mtp = read_suite(RESULTS / "gemma-4" / "gemma-4-26b-a4b-it" / "mtp-v23", CATALOG).build
    assert mtp.name == "Gemma 4 26B-A4B IT · BF16 + MTP · vLLM 0.23"
    assert (mtp.precision, mtp.engine_version) == ("bf16", "0.23.0")
    assert mtp.server_config["note"] == "speculative decoding (MTP)"
    nv = read_suite(RESULTS / "gemma-4" / "gemma-4-26b-a4b-it" / "nvfp4-v23", CATALOG).build
    assert nv.id == "gemma-4-26b-a4b-it-nvfp4-v23"
    assert nv.name == "Gemma 4 26B-A4B IT · NVFP4 · vLLM 0.23"
    assert (nv.checkpoint, nv.base_model) == (
        "nvidia/Gemma-4-26B-A4B-NVFP4",
        "google/gemma-4-26B-A4B-it",
    )
    qwen = read_suite(RESULTS / "qwen-3.5" / "qwen-3.5-0.8b" / "bf16", CATALOG)
    assert qwen.build.name == "Qwen 3.5 0.8B · BF16"
    assert qwen.build.engine_version == "cu130-nightly"
    assert qwen.build.run_date == "2026-05-04T23:00:19+02:00"
    big = next(r for r in qwen.results if r.bench_id == "big-context")
    assert (big.tps_per_user, big.tps_total) == (36.05, 181.77)
    assert len(big.rows) == 12 + 3
    reasoning = next(r for r in qwen.results if r.bench_id == "reasoning")
    assert reasoning.source.command is not None
    assert "--result-filename D_reasoning.json" in reasoning.source.command


@pytest.mark.parametrize(
    ("checkpoint", "base"),
    [
        ("nvidia/Gemma-4-26B-A4B-NVFP4", "google/gemma-4-26B-A4B-it"),
        (
            "RedHatAI/Mistral-Small-3.2-24B-Instruct-2506-NVFP4",
            "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
        ),
        ("nvidia/NVIDIA-Nemotron-3-Nano-4B-FP8", "nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16"),
        ("nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16", "nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16"),
        (
            "nvidia/Nemotron-3-Nano-Omni-30B-A3B-Reasoning-NVFP4",
            "nvidia/Nemotron-3-Nano-Omni-30B-A3B-Reasoning-BF16",
        ),
        (
            "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4",
            "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4",
        ),
        ("Qwen/Qwen3.6-27B-FP8", "Qwen/Qwen3.6-27B"),
        ("Qwen/Qwen3.6-35B-A3B-FP8", "Qwen/Qwen3.6-35B-A3B"),
        ("Qwen/Qwen3.5-0.8B", "Qwen/Qwen3.5-0.8B"),
        ("example/Some-Model-7B-FP8", "example/Some-Model-7B"),
        # a re-quantiser's repo resolves to the curated base with the same repo name
        ("RedHatAI/Qwen3.6-35B-A3B-NVFP4", "Qwen/Qwen3.6-35B-A3B"),
        ("nvidia/Gemma-4-31B-IT-NVFP4", "google/gemma-4-31B-it"),
    ],
)
def test_base_model(checkpoint: str, base: str) -> None:
    assert base_model(checkpoint) == base


def test_small_helpers() -> None:
    assert engine_version("vllm/vllm-openai:v0.20.1") == "0.20.1"
    assert engine_version("vllm/vllm-openai:v0.23.0-aarch64-cu129-ubuntu2404") == "0.23.0"
    assert engine_version("vllm/vllm-openai:cu130-nightly") == "cu130-nightly"
    assert precision_of("mtp-v23", "google/gemma-4-26B-A4B-it") == "bf16"
    assert precision_of("no-prefix-cache", "Qwen/Qwen3.6-27B-FP8") == "fp8"
    assert precision_of("nvfp4-v23", "nvidia/Gemma-4-26B-A4B-NVFP4") == "nvfp4"
    assert display_name("Qwen3.6-27B", "fp8", "fp8", "0.20.1", spec=None) == "Qwen 3.6 27B · FP8"
