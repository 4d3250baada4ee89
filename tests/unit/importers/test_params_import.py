"""A suite run of a model no curated table knows gets its params from its names, and says so."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from arena.catalog import load_catalog
from arena.importers import ImportKind, curated_base, fill_params, import_path
from arena.records import BaseModelInfo, BuildInfo, Dataset
from arena.store import Store
from tests.unit.importers.paths import RESULTS, needs_shared

CATALOG = load_catalog(Path("/nonexistent/config.toml"))
QWEN = RESULTS / "qwen-3.5" / "qwen-3.5-0.8b" / "bf16"  # no boot log: VRAM is estimated
SUPER = RESULTS / "nemotron-3" / "nemotron-3-super-120b-a12b" / "nvfp4"  # boot log VRAM


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Store]:
    """A migrated store without the bundled data."""
    s = Store.open(str(tmp_path / "empty.db"))
    yield s
    s.close()


def _copy(run: Path, dest: Path, model: str) -> Path:
    """A copy of a v1 run dir at dest whose meta.json names another checkpoint."""
    shutil.copytree(run, dest)
    meta_path = dest / "meta.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["model"] = model
    meta_path.write_text(json.dumps(meta), "utf-8")
    return dest


@needs_shared
def test_an_unknown_model_gets_params_from_its_checkpoint_id(empty: Store, tmp_path: Path) -> None:
    run = _copy(QWEN, tmp_path / "house-model" / "bf16", "acme/House-Coder-35B-A3B-Instruct")
    assert curated_base(None, "acme/House-Coder-35B-A3B-Instruct") is None
    result = import_path(run, empty, ImportKind.SUITE, catalog=CATALOG)
    (imported,) = result.builds
    build = imported.build
    assert (build.id, build.precision) == ("house-model-bf16", "bf16")
    assert (build.params_total_b, build.params_active_b) == (35, 3)
    assert (build.vram_gb, build.vram_method) == (70.0, "estimated")
    assert build.vram_source == "35 B params (parsed from '35B-A3B') x bf16 bytes per parameter"
    assert result.warnings == (
        "house-model-bf16: params 35B / 3B active parsed from '35B-A3B' in "
        "'acme/House-Coder-35B-A3B-Instruct'",
    )
    view = empty.build("house-model-bf16")
    assert view is not None
    assert (view.build.params_total_b, view.build.params_active_b) == (35, 3)


@needs_shared
def test_the_folder_name_is_read_when_the_checkpoint_states_no_size(
    empty: Store, tmp_path: Path
) -> None:
    run = _copy(SUPER, tmp_path / "house-70b" / "nvfp4", "/models/house")
    (imported,) = import_path(run, empty, ImportKind.SUITE, catalog=CATALOG).builds
    assert (imported.build.params_total_b, imported.build.params_active_b) == (70, None)
    view = empty.build(imported.build.id)
    assert view is not None
    assert view.build.vram_method == "engine-log"  # the run's log figure is what is shown
    assert imported.run is not None
    assert imported.run.vram_method == "engine-log"
    assert imported.warnings == ("params 70B parsed from '70b' in 'house-70b'",)


@needs_shared
def test_a_name_without_a_size_still_imports_and_says_params_are_unknown(
    empty: Store, tmp_path: Path
) -> None:
    run = _copy(QWEN, tmp_path / "my-model" / "bf16", "acme/my-model")
    result = import_path(run, empty, ImportKind.SUITE, catalog=CATALOG)
    (imported,) = result.builds
    assert (imported.build.params_total_b, imported.build.vram_gb) == (None, None)
    assert len(imported.results) == len(CATALOG.suites["v1"].benches)
    assert result.warnings == (
        "my-model-bf16: params unknown: no parameter count in 'acme/my-model' or 'my-model'; "
        "size bucket and VRAM estimate unavailable; set them with "
        "`arena build set my-model-bf16 --params-b N --active-b M`",
    )
    assert empty.build_ids() == ["my-model-bf16"]


@needs_shared
def test_a_curated_model_keeps_the_curated_params_without_a_warning(empty: Store) -> None:
    run = RESULTS / "gemma-4" / "gemma-4-26b-a4b-it" / "bf16"
    (imported,) = import_path(run, empty, ImportKind.SUITE, catalog=CATALOG).builds
    # the name says 26B-A4B; the package's base_models.toml says 25.2 / 3.8 and wins
    assert (imported.build.params_total_b, imported.build.params_active_b) == (25.2, 3.8)
    assert imported.warnings == ()


@needs_shared
def test_a_stored_base_wins_over_the_package_table(empty: Store) -> None:
    base = BaseModelInfo("google/gemma-4-26B-A4B-it", params_total_b=25.0, params_active_b=4.0)
    empty.load(Dataset("bases", None, None, None, base_models=[base]))
    run = RESULTS / "gemma-4" / "gemma-4-26b-a4b-it" / "bf16"
    (imported,) = import_path(run, empty, ImportKind.SUITE, catalog=CATALOG).builds
    assert (imported.build.params_total_b, imported.build.params_active_b) == (25.0, 4.0)


BUILD = BuildInfo("b", "B", "acme/x", "fp8", "box")


def test_gemma_effective_counts_leave_bucket_and_vram_unknown() -> None:
    build, note = fill_params(BUILD, None, "google/gemma-4-E4B-it")
    assert (build.params_total_b, build.params_active_b, build.vram_gb) == (None, 4, None)
    assert note == (
        "params total unknown, 4B active parsed from 'E4B' in 'google/gemma-4-E4B-it'; "
        "size bucket and VRAM estimate unavailable; set them with "
        "`arena build set b --params-b N --active-b M`"
    )


def test_params_the_build_already_has_are_kept() -> None:
    given = BuildInfo("b", "B", "acme/x", "fp8", "box", params_total_b=7.0)
    build, note = fill_params(given, None, "acme/x-13b")
    assert (build.params_total_b, build.vram_gb, note) == (7.0, 7.0, None)
    assert build.vram_source == "7 B params x fp8 bytes per parameter"


def test_a_base_without_params_lets_the_name_speak_and_lends_its_vendor() -> None:
    base = BaseModelInfo("acme/x", vendor="Acme")
    build, note = fill_params(BUILD, base, "acme/x-13b")
    assert (build.params_total_b, build.vendor, build.vram_gb) == (13, "Acme", 13.0)
    assert note == "params 13B parsed from '13b' in 'acme/x-13b'"
