"""One run as a self-contained JSON bundle (format arena-run/1): what a box sends to a board."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from arena.dataset.codec import (
    hardware_dict,
    make_record,
    parse_build,
    parse_run,
    run_dict,
)
from arena.errors import ArenaError
from arena.records import BaseModelInfo, BenchRecord, BuildInfo, BuildRun, HardwareInfo, RunInfo

BUNDLE_FORMAT = "arena-run/1"
_TOP = ("format", "hardware", "base_model", "build", "run")


@dataclass(frozen=True)
class RunBundle:
    """A build, the hardware and base model it names, and one run with its results."""

    hardware: HardwareInfo
    build: BuildInfo
    run: RunInfo
    results: list[BenchRecord] = field(default_factory=list)
    base_model: BaseModelInfo | None = None

    def content_hash(self) -> str:
        """SHA-256 over what was measured (build, run facts, results), not the run id or origin:
        the same measurement sent under two ids is one run."""
        run = run_dict(BuildRun(self.build.id, self.run, []))
        for key in ("id", "origin", "results"):
            run.pop(key, None)
        text = json.dumps(
            {
                "build": self.build.id,
                "hardware": self.hardware.id,
                "run": run,
                "results": run_dict(BuildRun(self.build.id, self.run, self.results))["results"],
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def to_bundle(b: RunBundle) -> dict[str, Any]:
    """The JSON-ready bundle, stable key order."""
    return {
        "format": BUNDLE_FORMAT,
        "hardware": hardware_dict(b.hardware),
        "base_model": None if b.base_model is None else dataclasses.asdict(b.base_model),
        "build": dataclasses.asdict(b.build),
        "run": run_dict(BuildRun(b.build.id, b.run, b.results)),
    }


def from_bundle(data: Any, origin: str = "bundle") -> RunBundle:
    """Parse and check a bundle; an error names the field and what was expected."""
    if not isinstance(data, dict):
        raise ArenaError(f"{origin}: expected a JSON object, got {type(data).__name__}")
    if data.get("format") != BUNDLE_FORMAT:
        raise ArenaError(
            f"{origin}: field 'format' = {data.get('format')!r}; expected {BUNDLE_FORMAT!r}"
        )
    unknown = sorted(set(data) - set(_TOP))
    if unknown:
        raise ArenaError(f"{origin}: unknown field '{unknown[0]}'; expected one of {list(_TOP)}")
    for key in ("hardware", "build", "run"):
        if not isinstance(data.get(key), dict):
            raise ArenaError(f"{origin}: field '{key}': expected an object")
    hardware = make_record(HardwareInfo, data["hardware"], f"{origin}: hardware")
    raw_bm = data.get("base_model")
    base_model = (
        None if raw_bm is None else make_record(BaseModelInfo, raw_bm, f"{origin}: base_model")
    )
    build = parse_build(dict(data["build"]), f"{origin}: build")
    run, results = parse_run(data["run"], f"{origin}: run")
    if run.hardware_id != hardware.id or build.hardware_id != hardware.id:
        raise ArenaError(
            f"{origin}: field 'run.hardware_id' = {run.hardware_id!r}; expected the bundle's "
            f"hardware id {hardware.id!r}"
        )
    if base_model is not None and base_model.id != build.base_model:
        raise ArenaError(
            f"{origin}: field 'base_model.id' = {base_model.id!r}; expected the build's "
            f"base_model {build.base_model!r}"
        )
    return RunBundle(hardware, build, run, results, base_model)
