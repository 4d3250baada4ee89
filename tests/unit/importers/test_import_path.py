"""import_path and the readers behind it, into a real SQLite store (not seeded: faster)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from arena.builds import BuildSpec
from arena.catalog import load_catalog
from arena.dataset import to_dict
from arena.errors import ArenaError
from arena.importers import (
    ImportKind,
    detect_kind,
    import_path,
    read_path,
    read_vllm_bench,
    suite_dirs,
)
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    BuildRun,
    Dataset,
    HardwareInfo,
    Provenance,
    QualityRecord,
    RunInfo,
)
from arena.store import Store
from tests.unit.importers.paths import FIXTURES, RESULTS, needs_shared

CATALOG = load_catalog(Path("/nonexistent/config.toml"))
QWEN = RESULTS / "qwen-3.5" / "qwen-3.5-0.8b" / "bf16"


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Store]:
    """A migrated store without the bundled data."""
    s = Store.open(str(tmp_path / "empty.db"))
    yield s
    s.close()


@needs_shared
def test_a_tree_of_suite_runs_is_read_then_written(empty: Store) -> None:
    tree = RESULTS / "qwen-3.5"
    base = BaseModelInfo("Qwen/Qwen3.5-0.8B", vendor="Qwen", params_total_b=0.8)
    empty.load(Dataset("bases", None, None, None, base_models=[base]))
    seen: list[Path] = []
    result = import_path(tree, empty, catalog=CATALOG, on_run=seen.append)
    ids = ["qwen-3.5-0.8b-bf16", "qwen-3.5-2b-bf16", "qwen-3.5-4b-bf16"]
    assert result.kind is ImportKind.SUITE
    assert seen == suite_dirs(tree)
    assert [b.build.id for b in result.builds] == ids == empty.build_ids()
    first = result.builds[0]
    assert len(first.results) == len(CATALOG.suites["v1"].benches)
    view = empty.build(ids[0])
    assert view is not None
    chat = view.results["chat"]
    assert chat.source.file == f"{QWEN.resolve()}/C_output-throughput.md"
    # completed from the stored base model: params, vendor, and VRAM estimated (no boot log)
    assert (view.build.params_total_b, view.build.vendor) == (0.8, "Qwen")
    assert view.build.vram_method == "estimated"
    other = empty.build(ids[1])
    assert other is not None
    # not in the store: completed from the package's curated table, so no params warning
    assert (other.build.params_total_b, other.build.vram_gb) == (2.0, 4.0)
    assert result.warnings == ()


@needs_shared
def test_warnings_name_their_build(empty: Store) -> None:
    run = RESULTS / "gemma-4" / "gemma-4-26b-a4b-it" / "nvfp4-v23"
    result = import_path(run, empty, ImportKind.SUITE, catalog=CATALOG)
    assert result.warnings == (
        "gemma-4-26b-a4b-it-nvfp4-v23: no D_*.json: bench 'reasoning' absent",
    )


def test_llama_benchy_json_is_detected_and_creates_the_build(empty: Store) -> None:
    path = FIXTURES / "chat_0.4.json"
    assert detect_kind(path) is ImportKind.LLAMA_BENCHY
    spec = BuildSpec("my-build", name="My build", params_b=7.0, precision="fp8")
    result = import_path(path, empty, bench="chat", build=spec, catalog=CATALOG)
    assert result.kind is ImportKind.LLAMA_BENCHY
    (written,) = result.builds
    assert written.build.id == "my-build"
    assert written.results[0].tps_per_user == 41.28
    view = empty.build("my-build")
    assert view is not None
    assert (view.build.name, view.results["chat"].source.file) == ("My build", str(path))


def test_a_single_file_needs_bench_and_build() -> None:
    with pytest.raises(ArenaError, match="holds one result; give its bench and build"):
        read_path(FIXTURES / "chat_0.4.csv", bench="chat", catalog=CATALOG)


def test_a_closed_loop_file_for_an_open_loop_bench_is_refused() -> None:
    with pytest.raises(ArenaError, match="use `arena import vllm-bench` for this bench"):
        read_path(FIXTURES / "chat_0.4.csv", bench="reasoning", build=BuildSpec("x"))


@needs_shared
def test_a_load_unlike_the_bench_needs_force(empty: Store) -> None:
    path = QWEN / "H_office-baseline.json"
    assert detect_kind(path) is ImportKind.VLLM_BENCH
    with pytest.raises(ArenaError, match=r"request_rate = 0\.3 .*pass --force"):
        read_vllm_bench(path, "monday-peak", BuildSpec("x"), CATALOG)
    forced = import_path(
        path, empty, bench="monday-peak", build=BuildSpec("x"), force=True, catalog=CATALOG
    )
    (rec,) = forced.builds[0].results
    assert rec.notes[-1].startswith("imported with --force: request_rate = 0.3")
    assert empty.build_ids() == ["x"]


def test_a_dataset_file_is_written_whole(empty: Store, tmp_path: Path) -> None:
    rec = BenchRecord("chat", 40.0, 400.0, None, None, 90.0, None, Provenance("t"))
    build = BuildInfo("b1", "B one", "org/m", "bf16", "box")
    quality = QualityRecord("org/m", "mmlu_pro", 50.0, "https://x", None, "model-card")
    hardware = [HardwareInfo("box", "Box")]
    run = BuildRun("b1", RunInfo("r1", "v2", "box"), [rec])
    ds = Dataset("mini", "Me", "CC0", None, hardware, [], [quality], [build], [run])
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(to_dict(ds)))
    assert detect_kind(path) is ImportKind.DATASET
    result = import_path(path, empty)
    assert [b.build for b in result.builds] == [build]
    assert result.quality == (quality,)
    assert empty.build_ids() == ["b1"]
    assert "mini" in empty.datasets()
    view = empty.build("b1", suite="v2")
    assert view is not None
    assert view.results == {"chat": rec}
    assert view.origin == "dataset:mini"


def test_a_json_file_of_no_known_kind_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(ArenaError, match=r"other\.json: cannot tell what this file holds"):
        detect_kind(path)


def test_suffixes_and_directories_decide_without_reading(tmp_path: Path) -> None:
    assert detect_kind(tmp_path) is ImportKind.SUITE
    for name in ("A.md", "A.log", "a.CSV"):
        assert detect_kind(tmp_path / name) is ImportKind.LLAMA_BENCHY


def test_a_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArenaError, match=r"nope: no such file or directory"):
        read_path(tmp_path / "nope", ImportKind.SUITE, catalog=CATALOG)


def test_a_single_file_is_a_run_of_the_newest_suite_with_its_bench(empty: Store) -> None:
    path = FIXTURES / "chat_0.4.json"
    first = import_path(path, empty, bench="chat", build=BuildSpec("x"), catalog=CATALOG)
    again = import_path(path, empty, bench="chat", build=BuildSpec("x"), catalog=CATALOG)
    (a,), (b,) = first.builds, again.builds
    assert a.run is not None
    assert b.run is not None
    assert (a.new, b.new) == (True, False)  # same file, same run: nothing written twice
    assert a.run.id == b.run.id
    assert a.run.suite == list(CATALOG.suites)[-1]
    assert a.run.source_files == {"chat_0.4.json": hashlib.sha256(path.read_bytes()).hexdigest()}
    old = import_path(path, empty, bench="chat", build=BuildSpec("x"), catalog=CATALOG, suite="v1")
    (c,) = old.builds
    assert c.run is not None
    assert c.run.suite == "v1"
    assert empty.suites() == sorted({"v1", a.run.suite})
    assert len(empty.run_ids("x")) == 2


def test_a_suite_without_the_bench_is_one_line(empty: Store) -> None:
    path = FIXTURES / "chat_0.4.json"
    with pytest.raises(ArenaError, match=r"--suite 'v9': unknown suite; expected one of v1, v2"):
        read_path(path, bench="chat", build=BuildSpec("x"), catalog=CATALOG, suite="v9")
    with pytest.raises(ArenaError, match=r"--suite 'v1' has no bench 'concurrency-stress'"):
        read_path(
            path, bench="concurrency-stress", build=BuildSpec("x"), catalog=CATALOG, suite="v1"
        )
