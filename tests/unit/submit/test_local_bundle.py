"""A stored run read back as a bundle is the run that was stored, and survives a second store."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from arena.dataset import from_bundle, load_bundled
from arena.errors import ArenaError
from arena.records import BuildRun, Dataset
from arena.store import Store
from arena.submit import bundle_body, local_bundle


def test_a_bundled_v2_run_round_trips_through_the_store_and_json(
    store: Store, tmp_path: Path
) -> None:
    ds = load_bundled("dgx_spark_v2.json")
    source = ds.runs[3]
    build = next(b for b in ds.builds if b.id == source.build_id)
    b = local_bundle(store, source.run.id)
    # what the dataset file says, not what our reader says
    assert b.run == dataclasses.replace(source.run, origin=f"dataset:{ds.name}")
    assert sorted(b.results, key=lambda r: r.bench_id) == sorted(
        source.results, key=lambda r: r.bench_id
    )
    assert b.build.id == build.id
    assert b.build.name == build.name
    assert b.hardware.id == build.hardware_id
    assert b.base_model is not None
    assert b.base_model.id == build.base_model

    back = from_bundle(json.loads(bundle_body(b)))
    assert back == b
    assert back.content_hash() == b.content_hash()

    other = Store.open(str(tmp_path / "other.db"))
    try:
        assert b.base_model is not None
        other.load(
            Dataset(
                "copy",
                None,
                None,
                None,
                [b.hardware],
                [b.base_model],
                [],
                [b.build],
                [BuildRun(b.build.id, b.run, b.results)],
            )
        )
        again = local_bundle(other, b.run.id)
    finally:
        other.close()
    assert again == b
    assert again.content_hash() == b.content_hash()


def test_an_unknown_run_is_named(store: Store) -> None:
    with pytest.raises(ArenaError, match="run 'nope' is not in the local database"):
        local_bundle(store, "nope")
