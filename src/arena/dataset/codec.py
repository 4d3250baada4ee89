"""The Arena dataset format (JSON): builds with results, base models, quality, attribution."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from arena.errors import ArenaError
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    Dataset,
    HardwareInfo,
    Provenance,
    QualityRecord,
)
from arena.verdicts import Flag

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FORMAT = "arena-dataset/1"
Record = TypeVar("Record", bound="DataclassInstance")


def to_dict(ds: Dataset) -> dict[str, Any]:
    """Plain JSON-ready dict, stable key order."""
    return {
        "format": FORMAT,
        "name": ds.name,
        "attribution": ds.attribution,
        "license": ds.license,
        "source": ds.source,
        "hardware": [dataclasses.asdict(h) for h in ds.hardware],
        "base_models": [dataclasses.asdict(b) for b in ds.base_models],
        "quality": [dataclasses.asdict(q) for q in ds.quality],
        "builds": [
            {**dataclasses.asdict(b), "results": [_result_dict(r) for r in results]}
            for b, results in ds.builds
        ],
    }


def _result_dict(r: BenchRecord) -> dict[str, object]:
    """A result as JSON; "flags" only when the result has any (older readers know no flags)."""
    out = dataclasses.asdict(r)
    flags = out.pop("flags")
    if flags:
        out["flags"] = [str(f) for f in flags]
    if out["energy"] is None:
        del out["energy"]
    return out


def _flags(raw: object, where: str) -> tuple[Flag, ...]:
    known = [str(f) for f in Flag]
    if not isinstance(raw, list) or any(f not in known for f in raw):
        raise ArenaError(f"{where}: field 'flags' = {raw!r}; expected a list of {known}")
    return tuple(Flag(f) for f in raw)


def _make(cls: type[Record], data: object, where: str) -> Record:
    """One record from its JSON object; an unknown or missing field names the entry."""
    if not isinstance(data, dict):
        raise ArenaError(f"{where}: expected an object, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ArenaError(f"{where}: unknown field '{unknown[0]}'; expected one of {sorted(names)}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise ArenaError(f"{where}: {exc}") from exc


def from_dict(data: Any, origin: str = "dataset") -> Dataset:
    """Parse and check a dataset dict; errors name the entry and field."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ArenaError(f"{origin}: field 'format' = {got!r}; expected {FORMAT!r}")
    builds = []
    for i, raw in enumerate(data.get("builds", [])):
        where = f"{origin}: builds[{i}]"
        if not isinstance(raw, dict):
            raise ArenaError(f"{where}: expected an object")
        raw = dict(raw)
        results_raw = raw.pop("results", [])
        build = _make(BuildInfo, raw, where)
        results = []
        for j, r in enumerate(results_raw):
            r = dict(r)
            at = f"{where}.results[{j}]"
            prov = _make(Provenance, r.pop("source", {}), f"{at}.source")
            flags = _flags(r.pop("flags", []), at)
            results.append(_make(BenchRecord, {**r, "source": prov, "flags": flags}, at))
        builds.append((build, results))
    return Dataset(
        name=str(data.get("name") or origin),
        attribution=data.get("attribution"),
        license=data.get("license"),
        source=data.get("source"),
        hardware=[
            _make(HardwareInfo, h, f"{origin}: hardware[{i}]")
            for i, h in enumerate(data.get("hardware", []))
        ],
        base_models=[
            _make(BaseModelInfo, b, f"{origin}: base_models[{i}]")
            for i, b in enumerate(data.get("base_models", []))
        ],
        quality=[
            _make(QualityRecord, q, f"{origin}: quality[{i}]")
            for i, q in enumerate(data.get("quality", []))
        ],
        builds=builds,
    )
