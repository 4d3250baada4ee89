"""The bundled real dataset (DGX Spark, suite v1) and the dataset file format."""

from __future__ import annotations

import json
from importlib import resources

from arena.dataset.codec import FORMAT, FORMAT_V1, from_dict, legacy_run, to_dict
from arena.records import Dataset
from arena.store import Store

BUNDLED_FILE = "dgx_spark_v1.json"
NAME_V1 = "dgx-spark-benchmarks-v1"


def load_bundled() -> Dataset:
    """The dataset shipped inside the package, derived from the shared v1 runs."""
    text = resources.files("arena.dataset").joinpath(BUNDLED_FILE).read_text("utf-8")
    return from_dict(json.loads(text), origin=BUNDLED_FILE)


def open_store(db: str | None = None) -> Store:
    """The store, created and migrated as needed, holding the bundled data from first use on."""
    return Store.open(db, seed={NAME_V1: load_bundled})


__all__ = [
    "BUNDLED_FILE",
    "FORMAT",
    "FORMAT_V1",
    "from_dict",
    "legacy_run",
    "load_bundled",
    "open_store",
    "to_dict",
]
