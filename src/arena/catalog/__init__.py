"""Benches, presets and buckets: data files validated on load."""

from arena.catalog.loader import bytes_per_param, estimate_vram_gb, load_catalog
from arena.catalog.types import Bench, Bucket, Catalog, Preset, Weights

__all__ = [
    "Bench",
    "Bucket",
    "Catalog",
    "Preset",
    "Weights",
    "bytes_per_param",
    "estimate_vram_gb",
    "load_catalog",
]
