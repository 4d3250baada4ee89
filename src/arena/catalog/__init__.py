"""Benches, suites, presets and buckets: data files validated on load."""
# The loader is imported lazily so that importing the plain types (as scoring does) reads no files.

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from arena.catalog.types import (
    Bench,
    Bucket,
    Catalog,
    CostConfig,
    HardwareProfile,
    Preset,
    Suite,
    SuiteBench,
    Weights,
)

if TYPE_CHECKING:
    from arena.catalog.loader import bytes_per_param, estimate_vram_gb, load_catalog

_LAZY = ("bytes_per_param", "estimate_vram_gb", "load_catalog")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from arena.catalog import loader

        return getattr(loader, name)
    raise AttributeError(name)


__all__ = [
    "Bench",
    "Bucket",
    "Catalog",
    "CostConfig",
    "HardwareProfile",
    "Preset",
    "Suite",
    "SuiteBench",
    "Weights",
    "bytes_per_param",
    "estimate_vram_gb",
    "load_catalog",
]
