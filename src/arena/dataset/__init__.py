"""The bundled real datasets (DGX Spark, suites v1 and v2) and the dataset file format."""

from __future__ import annotations

import json
from functools import partial
from importlib import resources

from arena.dataset.bundle import BUNDLE_FORMAT, RunBundle, from_bundle, to_bundle
from arena.dataset.codec import FORMAT, FORMAT_V1, from_dict, legacy_run, to_dict
from arena.records import Dataset
from arena.store import Store

# Dataset name -> file in this package; a store loads each once (a new one on its next open).
BUNDLED = {
    "dgx-spark-benchmarks-v1": "dgx_spark_v1.json",
    "dgx-spark-benchmarks-v2": "dgx_spark_v2.json",
}
BUNDLED_FILE = BUNDLED["dgx-spark-benchmarks-v1"]


def load_bundled(file: str = BUNDLED_FILE) -> Dataset:
    """One dataset shipped inside the package, derived from the shared runs."""
    text = resources.files("arena.dataset").joinpath(file).read_text("utf-8")
    return from_dict(json.loads(text), origin=file)


def open_store(db: str | None = None) -> Store:
    """The store, created and migrated as needed, holding the bundled data from first use on."""
    return Store.open(db, seed={name: partial(load_bundled, f) for name, f in BUNDLED.items()})


__all__ = [
    "BUNDLED",
    "BUNDLED_FILE",
    "BUNDLE_FORMAT",
    "FORMAT",
    "FORMAT_V1",
    "RunBundle",
    "from_bundle",
    "from_dict",
    "legacy_run",
    "load_bundled",
    "open_store",
    "to_bundle",
    "to_dict",
]
