"""The Arena dataset format (JSON): builds with results, base models, quality, attribution."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import TYPE_CHECKING, Any, TypeVar

from arena.builds import check_build_id
from arena.errors import ArenaError
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    BuildRun,
    Dataset,
    Energy,
    HardwareInfo,
    Provenance,
    QualityRecord,
    RunInfo,
    Sanity,
)
from arena.store import LEGACY_SUITE
from arena.verdicts import Flag

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FORMAT = "arena-dataset/2"  # /2: each build holds its runs, each run its results
FORMAT_V1 = "arena-dataset/1"  # /1: each build holds its results (one run, suite v1)
Record = TypeVar("Record", bound="DataclassInstance")


def to_dict(ds: Dataset) -> dict[str, Any]:
    """Plain JSON-ready dict, stable key order."""
    return {
        "format": FORMAT,
        "name": ds.name,
        "attribution": ds.attribution,
        "license": ds.license,
        "source": ds.source,
        "hardware": [hardware_dict(h) for h in ds.hardware],
        "base_models": [dataclasses.asdict(b) for b in ds.base_models],
        "quality": [dataclasses.asdict(q) for q in ds.quality],
        "builds": [
            {
                **dataclasses.asdict(b),
                "runs": [run_dict(r) for r in ds.runs if r.build_id == b.id],
            }
            for b in ds.builds
        ],
    }


def hardware_dict(hw: HardwareInfo) -> dict[str, object]:
    """A hardware entry as JSON; "memory_gb" only when known (older readers know no such field)."""
    out = dataclasses.asdict(hw)
    if out["memory_gb"] is None:
        del out["memory_gb"]
    return out


def run_dict(br: BuildRun) -> dict[str, object]:
    """A run as JSON with its results; "sanity" only when the run was checked."""
    out = dataclasses.asdict(br.run)
    if out["sanity"] is None:
        del out["sanity"]
    out["results"] = [_result_dict(r) for r in br.results]
    return out


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


def make_record(cls: type[Record], data: object, where: str) -> Record:
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


def _results(raw: object, where: str) -> list[BenchRecord]:
    if not isinstance(raw, list):
        raise ArenaError(f"{where}: field 'results': expected a list")
    results = []
    for j, item in enumerate(raw):
        at = f"{where}.results[{j}]"
        if not isinstance(item, dict):
            raise ArenaError(f"{at}: expected an object")
        r = dict(item)
        prov = make_record(Provenance, r.pop("source", {}), f"{at}.source")
        flags = _flags(r.pop("flags", []), at)
        energy_raw = r.pop("energy", None)
        energy = None if energy_raw is None else make_record(Energy, energy_raw, f"{at}.energy")
        results.append(
            make_record(BenchRecord, {**r, "source": prov, "flags": flags, "energy": energy}, at)
        )
    return results


def parse_run(raw: object, where: str) -> tuple[RunInfo, list[BenchRecord]]:
    if not isinstance(raw, dict):
        raise ArenaError(f"{where}: expected an object")
    r = dict(raw)
    results = _results(r.pop("results", []), where)
    sanity_raw = r.pop("sanity", None)
    sanity = None if sanity_raw is None else make_record(Sanity, sanity_raw, f"{where}.sanity")
    return make_record(RunInfo, {**r, "sanity": sanity}, where), results


def parse_build(raw: dict[str, Any], where: str) -> BuildInfo:
    """A build whose id passes the rule every importer applies, so its page can be reached."""
    build = make_record(BuildInfo, raw, where)
    if not isinstance(build.id, str):
        raise ArenaError(f"{where}: field 'id' = {build.id!r}; expected a string")
    try:
        check_build_id(build.id)
    except ArenaError as exc:
        raise ArenaError(f"{where}: field 'id': {exc}") from exc
    return build


def legacy_run(build: BuildInfo) -> RunInfo:
    """The one run an /1 build's results belong to (the id migration 0004 gives them too)."""
    run_id = "m" + hashlib.sha256(build.id.encode()).hexdigest()[:20]
    return RunInfo.of_build(build, run_id, LEGACY_SUITE)


def from_dict(data: Any, origin: str = "dataset") -> Dataset:
    """Parse and check a dataset dict (format /2 or /1); errors name the entry and field."""
    fmt = data.get("format") if isinstance(data, dict) else None
    if fmt not in (FORMAT, FORMAT_V1):
        got = fmt if isinstance(data, dict) else type(data).__name__
        raise ArenaError(f"{origin}: field 'format' = {got!r}; expected {FORMAT!r}")
    builds: list[BuildInfo] = []
    runs: list[BuildRun] = []
    for i, raw in enumerate(data.get("builds", [])):
        where = f"{origin}: builds[{i}]"
        if not isinstance(raw, dict):
            raise ArenaError(f"{where}: expected an object")
        raw = dict(raw)
        if fmt == FORMAT_V1:
            results = _results(raw.pop("results", []), where)
            build = parse_build(raw, where)
            runs.append(BuildRun(build.id, legacy_run(build), results))
        else:
            runs_raw = raw.pop("runs", [])
            build = parse_build(raw, where)
            if not isinstance(runs_raw, list):
                raise ArenaError(f"{where}: field 'runs': expected a list")
            for k, run_raw in enumerate(runs_raw):
                run, results = parse_run(run_raw, f"{where}.runs[{k}]")
                runs.append(BuildRun(build.id, run, results))
        builds.append(build)
    return Dataset(
        name=str(data.get("name") or origin),
        attribution=data.get("attribution"),
        license=data.get("license"),
        source=data.get("source"),
        hardware=[
            make_record(HardwareInfo, h, f"{origin}: hardware[{i}]")
            for i, h in enumerate(data.get("hardware", []))
        ],
        base_models=[
            make_record(BaseModelInfo, b, f"{origin}: base_models[{i}]")
            for i, b in enumerate(data.get("base_models", []))
        ],
        quality=[
            make_record(QualityRecord, q, f"{origin}: quality[{i}]")
            for i, q in enumerate(data.get("quality", []))
        ],
        builds=builds,
        runs=runs,
    )
