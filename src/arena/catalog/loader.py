"""Load benches, suites, presets and buckets from package TOML files plus an optional user file."""

# No `from __future__ import annotations` here: a TypedDict reads `Required[...]` when the class
# is created, and the table types below give check_entry its required fields.
import os
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Required, TypedDict, cast

from arena.capacity import LIMITS_MS
from arena.catalog.costs import parse_cost
from arena.catalog.suites import parse_suite, with_v1_letters
from arena.catalog.types import (
    Bench,
    Bucket,
    Catalog,
    CostConfig,
    HardwareProfile,
    Mode,
    Preset,
    Suite,
)
from arena.catalog.validate import check_entry
from arena.errors import ArenaError


class BenchTable(TypedDict, total=False):
    """A [[bench]] table once `check_entry` passed it: fields of `Bench`, lists as tuples."""

    id: Required[str]
    title: Required[str]
    mode: Required[Mode]
    prompt_tokens: tuple[int, ...]
    output_tokens: Required[int]
    depth: int
    concurrency: tuple[int, ...]
    reference_concurrency: int
    reference_prompt_tokens: int
    runs: int
    request_rate: float
    burstiness: float
    num_prompts: int
    max_concurrency: int
    range_ratio: float
    dataset: str
    seed: int
    request_rates: tuple[float, ...]
    step_seconds: float
    min_step_prompts: int
    ttft_p95_limits_ms: tuple[float, ...]
    stop_factor: float


class PresetTable(TypedDict, total=False):
    """A [[preset]] table once `check_entry` passed it."""

    id: Required[str]
    title: Required[str]
    quality: Required[float]
    throughput: Required[float]
    efficiency: Required[float]
    benches: Required[tuple[str, ...]]
    ttft_bench: str
    measure: str


class BucketTable(TypedDict, total=False):
    """A [[bucket]] table once `check_entry` passed it."""

    id: Required[str]
    title: Required[str]
    min_b: float
    max_b: float
    min_exclusive: bool
    max_inclusive: bool
    params_unknown: bool


class HardwareTable(TypedDict, total=False):
    """A [[hardware]] table once `check_entry` passed it."""

    id: Required[str]
    name: Required[str]
    memory_gb: Required[float]
    memory_bandwidth_gbs: Required[float]
    source: Required[str]
    note: str


# Field -> check of validate.CHECKS; the keys are those of the table types above (a test checks).
BENCH_SPEC = {
    "id": "slug",
    "title": "str",
    "mode": "mode",
    "prompt_tokens": "int_list",
    "output_tokens": "nonneg_int",
    "depth": "nonneg_int",
    "concurrency": "int_list",
    "reference_concurrency": "pos_int",
    "reference_prompt_tokens": "pos_int",
    "runs": "pos_int",
    "request_rate": "pos_num",
    "burstiness": "pos_num",
    "num_prompts": "pos_int",
    "max_concurrency": "pos_int",
    "range_ratio": "fraction",
    "dataset": "str",
    "seed": "nonneg_int",
    "request_rates": "rising_nums",
    "step_seconds": "pos_num",
    "min_step_prompts": "pos_int",
    "ttft_p95_limits_ms": "rising_nums",
    "stop_factor": "pos_num",
}
# Fields that only one mode reads; given to another mode they are an error, not ignored.
SWEEP_ONLY = ("request_rates", "step_seconds", "min_step_prompts", "ttft_p95_limits_ms",
              "stop_factor")  # fmt: skip
NOT_IN_SWEEP = ("request_rate", "num_prompts", "concurrency", "reference_concurrency",
                "reference_prompt_tokens", "depth", "runs")  # fmt: skip
PRESET_SPEC = {
    "id": "slug",
    "title": "str",
    "quality": "fraction",
    "throughput": "fraction",
    "efficiency": "fraction",
    "benches": "str_list",
    "ttft_bench": "slug",
    "measure": "measure",
}
BUCKET_SPEC = {
    "id": "slug",
    "title": "str",
    "min_b": "nonneg_num",
    "max_b": "pos_num",
    "min_exclusive": "bool",
    "max_inclusive": "bool",
    "params_unknown": "bool",
}

HARDWARE_SPEC = {
    "id": "slug",
    "name": "str",
    "memory_gb": "pos_num",
    "memory_bandwidth_gbs": "pos_num",
    "source": "url",
    "note": "str",
}


def _read_toml(path: Path | None, text: str, name: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ArenaError(f"{path or name}: not valid TOML ({exc})") from exc


def parse_bench(where: str, raw: object) -> Bench:
    """One validated bench; closed loop needs concurrency, open loop a request rate, a sweep
    its rates and step length."""
    d = cast(BenchTable, check_entry(where, raw, BENCH_SPEC, BenchTable.__required_keys__))
    mode = d["mode"]
    stray = [f for f in (NOT_IN_SWEEP if mode == "sweep" else SWEEP_ONLY) if f in d]
    if stray:
        raise ArenaError(f"{where} ({d['id']}): field '{stray[0]}' does not apply to mode '{mode}'")
    if mode == "closed":
        if not d.get("concurrency"):
            raise ArenaError(f"{where} ({d['id']}): closed-loop bench needs 'concurrency'")
        if not d.get("prompt_tokens"):
            raise ArenaError(f"{where} ({d['id']}): closed-loop bench needs 'prompt_tokens'")
        ref = d.setdefault("reference_concurrency", max(d["concurrency"]))
        if ref not in d["concurrency"]:
            raise ArenaError(
                f"{where} ({d['id']}): reference_concurrency = {ref} is not in "
                f"concurrency {list(d['concurrency'])}"
            )
        return Bench(**d)
    if mode == "sweep":
        for name in ("request_rates", "step_seconds"):
            if name not in d:
                raise ArenaError(f"{where} ({d['id']}): sweep bench needs '{name}'")
        d.setdefault("ttft_p95_limits_ms", LIMITS_MS)
        d["runs"] = 1  # each step is one open-loop run
        factor = d.get("stop_factor")
        if factor is not None and factor < 1:
            raise ArenaError(
                f"{where} ({d['id']}): field 'stop_factor' = {factor!r}; expected a number >= 1 "
                "(a smaller one would stop below the largest limit)"
            )
    elif "request_rate" not in d:
        raise ArenaError(f"{where} ({d['id']}): open-loop bench needs 'request_rate'")
    if d.get("dataset", "random") == "random" and not d.get("prompt_tokens"):
        kind = "open-loop" if mode == "open" else "sweep"
        raise ArenaError(f"{where} ({d['id']}): {kind} bench on random data needs 'prompt_tokens'")
    d.setdefault("prompt_tokens", ())  # ShareGPT prompts bring their own lengths
    return Bench(**d)


def parse_preset(where: str, raw: object, benches: Mapping[str, Bench]) -> Preset:
    """One validated preset: weights sum to 1 and every bench exists."""
    d = cast(PresetTable, check_entry(where, raw, PRESET_SPEC, PresetTable.__required_keys__))
    total = d["quality"] + d["throughput"] + d["efficiency"]
    if abs(total - 1.0) > 1e-6:
        raise ArenaError(
            f"{where} ({d['id']}): weights quality+throughput+efficiency = {total:g}; expected 1"
        )
    for bench_id in [*d["benches"], d.get("ttft_bench", d["benches"][0])]:
        if bench_id not in benches:
            raise ArenaError(
                f"{where} ({d['id']}): unknown bench '{bench_id}'; known: {', '.join(benches)}"
            )
    d.setdefault("ttft_bench", d["benches"][0])
    return Preset(**d)


def parse_bucket(where: str, raw: object) -> Bucket:
    """One validated bucket with min_b < max_b when both are given."""
    d = cast(BucketTable, check_entry(where, raw, BUCKET_SPEC, BucketTable.__required_keys__))
    if d.get("params_unknown") and ("min_b" in d or "max_b" in d):
        raise ArenaError(f"{where} ({d['id']}): params_unknown takes no min_b or max_b")
    if "min_b" in d and "max_b" in d and d["min_b"] >= d["max_b"]:
        raise ArenaError(f"{where} ({d['id']}): min_b = {d['min_b']} must be below max_b")
    return Bucket(**d)


def parse_hardware(where: str, raw: object) -> HardwareProfile:
    """One validated hardware profile; every figure carries the URL it was read from."""
    d = cast(HardwareTable, check_entry(where, raw, HARDWARE_SPEC, HardwareTable.__required_keys__))
    return HardwareProfile(**d)


def _entries(doc: Mapping[str, object], key: str, source: str) -> list[object]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise ArenaError(f"{source}: '{key}' must be an array of tables ([[{key}]])")
    return value


def build_catalog(docs: list[tuple[str, Mapping[str, object]]]) -> Catalog:
    """Merge documents in order; a later entry with the same id replaces an earlier one."""
    benches: dict[str, Bench] = {}
    for source, doc in docs:
        for i, raw in enumerate(_entries(doc, "bench", source)):
            bench = parse_bench(f"{source}: bench[{i}]", raw)
            benches[bench.id] = bench
    presets: dict[str, Preset] = {}
    buckets: dict[str, Bucket] = {}
    for source, doc in docs:
        for i, raw in enumerate(_entries(doc, "preset", source)):
            preset = parse_preset(f"{source}: preset[{i}]", raw, benches)
            presets[preset.id] = preset
        for i, raw in enumerate(_entries(doc, "bucket", source)):
            bucket = parse_bucket(f"{source}: bucket[{i}]", raw)
            buckets[bucket.id] = bucket
    suites: dict[str, Suite] = {}
    for source, doc in docs:
        for i, raw in enumerate(_entries(doc, "suite", source)):
            suite = parse_suite(f"{source}: suite[{i}]", raw, benches)
            suites[suite.id] = suite
    hardware: dict[str, HardwareProfile] = {}
    for source, doc in docs:
        for i, raw in enumerate(_entries(doc, "hardware", source)):
            profile = parse_hardware(f"{source}: hardware[{i}]", raw)
            hardware[profile.id] = profile
    prefer: dict[str, tuple[str, ...]] = {}
    cost: CostConfig | None = None
    for source, doc in docs:
        prefer.update(parse_quality_prefer(source, doc.get("quality", {})))
        if "cost" in doc:
            cost = parse_cost(source, doc["cost"])
    return Catalog(
        benches=with_v1_letters(benches, suites),
        presets=presets,
        buckets=buckets,
        quality_prefer=prefer,
        suites=suites,
        hardware=hardware,
        cost=cost,
    )


QUALITY_KINDS = ("measured", "imported", "artificial-analysis", "model-card")
QUALITY_KEYS = ("default", "mmlu_pro", "gpqa_diamond", "humaneval", "livecodebench")


def parse_quality_prefer(source: str, table: object) -> dict[str, tuple[str, ...]]:
    """[quality.prefer]: per metric (or default) the kinds in order of preference."""
    if not isinstance(table, dict):
        raise ArenaError(f"{source}: [quality] must be a table")
    prefer = table.get("prefer", {})
    if not isinstance(prefer, dict):
        raise ArenaError(f"{source}: [quality.prefer] must be a table of metric = [kinds]")
    out: dict[str, tuple[str, ...]] = {}
    for key, kinds in prefer.items():
        if key not in QUALITY_KEYS:
            raise ArenaError(
                f"{source}: [quality.prefer] key '{key}'; expected one of {', '.join(QUALITY_KEYS)}"
            )
        if not isinstance(kinds, list) or not kinds or any(k not in QUALITY_KINDS for k in kinds):
            raise ArenaError(
                f"{source}: [quality.prefer] {key} = {kinds!r}; expected a list of "
                f"{', '.join(QUALITY_KINDS)}"
            )
        out[key] = tuple(kinds)
    return out


def builtin_docs() -> list[tuple[str, Mapping[str, object]]]:
    """The package's own catalog files."""
    pkg = resources.files("arena.catalog")
    docs: list[tuple[str, Mapping[str, object]]] = []
    for name in ("benches.toml", "suites.toml", "presets.toml", "buckets.toml", "hardware.toml"):
        docs.append((name, _read_toml(None, pkg.joinpath(name).read_text("utf-8"), name)))
    return docs


def user_config_path() -> Path:
    """ARENA_CONFIG, else config.toml in the platform's user config dir."""
    env = os.environ.get("ARENA_CONFIG")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("arena")) / "config.toml"


def load_catalog(config: Path | None = None) -> Catalog:
    """Built-in catalog merged with the user's presets, buckets, benches and [cost] prices (if the
    file exists)."""
    path = config if config is not None else user_config_path()
    return _load_cached(str(path))


@lru_cache(maxsize=8)
def _load_cached(path_str: str) -> Catalog:
    docs = builtin_docs()
    path = Path(path_str)
    if path.is_file():
        docs.append((str(path), _read_toml(path, path.read_text("utf-8"), str(path))))
    return build_catalog(docs)


@lru_cache(maxsize=1)
def bytes_per_param() -> dict[str, float]:
    """Precision id -> bytes per weight, from precisions.toml."""
    text = resources.files("arena.catalog").joinpath("precisions.toml").read_text("utf-8")
    table = _read_toml(None, text, "precisions.toml").get("precision", {})
    if not isinstance(table, dict):
        raise ArenaError("precisions.toml: [precision] must be a table of id = bytes")
    return {str(k): float(v) for k, v in table.items()}


def estimate_vram_gb(params_total_b: float | None, precision: str) -> float | None:
    """Weights-only estimate params x bytes per parameter; None when either is unknown."""
    per = bytes_per_param().get(precision.lower())
    if params_total_b is None or per is None:
        return None
    return round(params_total_b * per, 2)
