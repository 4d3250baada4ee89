"""One suite run directory (meta.json + lettered result files) into a build and its results."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from arena.catalog import Bench, Catalog, bytes_per_param
from arena.errors import ArenaError
from arena.importers import vllm_bench
from arena.importers.common import bash_command, load_json_object, read_text, require_str
from arena.importers.llama_benchy import parse_markdown
from arena.importers.llama_benchy_record import ParsedClosed, to_record
from arena.records import BenchRecord, BuildInfo, HardwareInfo, SuiteImport
from arena.vllm_log import gib_to_gb, model_loading_gib

SPARK = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
ENGINE_VERSION = re.compile(r"^v?(\d+\.\d+(?:\.\d+)?)(?:$|[-+])")
RERUN = re.compile(r"^v(\d+)$")
MTP_NOTE = "speculative decoding (MTP)"


@lru_cache(maxsize=1)
def base_models() -> dict[str, str]:
    """Checkpoint -> base model special cases from base_models.toml."""
    text = resources.files("arena.importers").joinpath("base_models.toml").read_text("utf-8")
    return {str(k): str(v) for k, v in tomllib.loads(text).get("base", {}).items()}


def _strip_precision(name: str) -> tuple[str, str | None]:
    """'Qwen3.6-27B-FP8' -> ('Qwen3.6-27B', 'fp8'); no known suffix -> (name, None)."""
    head, _, tail = name.rpartition("-")
    if head and tail.lower() in bytes_per_param():
        return head, tail.lower()
    return name, None


def base_model(checkpoint: str) -> str:
    """HF id of the unquantised base: the data file's entry, else the suffix stripped."""
    known = base_models().get(checkpoint)
    return known if known is not None else _strip_precision(checkpoint)[0]


def precision_of(folder: str, checkpoint: str) -> str:
    """The folder's first dash-token when it is a precision, else the checkpoint's suffix."""
    token = folder.split("-", 1)[0].lower()
    if token in bytes_per_param():
        return token
    return _strip_precision(checkpoint)[1] or "bf16"


def engine_version(image: str) -> str | None:
    """Image tag: 'v0.23.0-aarch64-cu129-ubuntu2404' -> '0.23.0'; non-versions kept as is."""
    if ":" not in image:
        return None
    tag = image.rsplit(":", 1)[1]
    match = ENGINE_VERSION.match(tag)
    return match.group(1) if match else tag


def display_name(base: str, precision: str, folder: str, version: str | None, mtp: bool) -> str:
    """'Gemma 4 26B A4B it · BF16 + MTP · vLLM 0.23': engine suffix only on -vNN reruns."""
    words = _strip_precision(base.rsplit("/", 1)[-1])[0].split("-")
    name = " ".join(words)
    name = name[:1].upper() + name[1:]
    label = precision.upper() + (" + MTP" if mtp else "")
    parts = [name, label]
    rerun = any(RERUN.match(tok) for tok in folder.split("-")[1:])
    if rerun and version is not None:
        parts.append("vLLM " + ".".join(version.split(".")[:2]))
    return " · ".join(parts)


def vram_from_logs(run_dir: Path) -> tuple[float, str] | None:
    """'Model loading took N GiB' from _bootlog.txt or a .log: (GB, file name)."""
    candidates = [run_dir / "_bootlog.txt", *sorted(run_dir.glob("*.log"))]
    for path in candidates:
        if not path.is_file():
            continue
        gib = model_loading_gib(read_text(path))
        if gib is not None:
            return gib_to_gb(gib), path.name
    return None


def _profile_uses_mtp(run_dir: Path) -> bool:
    """A _profile.env whose speculative_config says method mtp (e.g. Nemotron 3 Super)."""
    env = run_dir / "_profile.env"
    return env.is_file() and re.search(r'"method"\s*:\s*"mtp"', read_text(env)) is not None


def read_build(run_dir: Path) -> tuple[BuildInfo, HardwareInfo]:
    """BuildInfo from meta.json, the folder names and the boot log."""
    meta_path = run_dir / "meta.json"
    if not meta_path.is_file():
        raise ArenaError(f"{meta_path}: missing (every suite run directory has one)")
    meta = load_json_object(meta_path)
    where = str(meta_path)
    checkpoint = require_str(where, meta, "model")
    served = require_str(where, meta, "served_name")
    image = require_str(where, meta, "vllm_image")
    config = meta.get("server_config", {})
    if not isinstance(config, dict):
        raise ArenaError(f"{where}: field 'server_config': expected an object, got {config!r}")
    folder, model_folder = run_dir.name, run_dir.parent.name
    mtp_folder = folder.split("-", 1)[0].lower() == "mtp"
    mtp = mtp_folder or _profile_uses_mtp(run_dir)
    server_config: dict[str, object] = {**config, "served_name": served}
    if isinstance(meta.get("profile"), str):
        server_config["profile"] = meta["profile"]
    if mtp:
        server_config["note"] = MTP_NOTE
    hw_text = str(meta.get("hardware") or "")
    hardware = (
        SPARK
        if "spark" in hw_text.lower() or not hw_text
        else HardwareInfo(re.sub(r"[^a-z0-9]+", "-", hw_text.lower()).strip("-"), hw_text)
    )
    precision = precision_of(folder, checkpoint)
    base = base_model(checkpoint)
    version = engine_version(image)
    vram = vram_from_logs(run_dir)
    generated = meta.get("generated_at")
    build = BuildInfo(
        id=f"{model_folder}-{folder}",
        name=display_name(base, precision, folder, version, mtp_folder),
        base_model=base,
        precision=precision,
        hardware_id=hardware.id,
        checkpoint=checkpoint,
        engine="vllm",
        engine_version=version,
        server_config=server_config,
        vram_gb=vram[0] if vram else None,
        vram_method="engine-log" if vram else None,
        vram_source=vram[1] if vram else None,
        run_date=generated if isinstance(generated, str) else None,
    )
    return build, hardware


def _find(run_dir: Path, letter: str, ext: str) -> Path | None:
    """The lettered result file, e.g. A_*.md."""
    found = sorted(run_dir.glob(f"{letter}_*.{ext}"))
    return found[0] if found else None


def _closed(run_dir: Path, letter: str) -> ParsedClosed | None:
    """A closed-loop letter from its .md, falling back to the .log."""
    path = _find(run_dir, letter, "md") or _find(run_dir, letter, "log")
    return parse_markdown(path) if path is not None else None


def import_bench(run_dir: Path, bench: Bench, warnings: list[str]) -> BenchRecord | None:
    """One bench of a run dir; a missing file only warns (the bench is absent)."""
    letter = bench.letter or ""
    if bench.mode == "open":
        path = _find(run_dir, letter, "json")
        if path is None:
            warnings.append(f"no {letter}_*.json: bench '{bench.id}' absent")
            return None
        md = _find(run_dir, letter, "md")
        command = bash_command(read_text(md)) if md is not None else None
        return vllm_bench.parse(path, bench.id, command=command)
    parsed = _closed(run_dir, letter)
    if parsed is None:
        warnings.append(f"no {letter}_*.md/.log: bench '{bench.id}' absent")
        return None
    rows = list(parsed.rows)
    for extra in bench.extra_letters:
        more = _closed(run_dir, extra)
        if more is None:
            warnings.append(f"no {extra}_*.md/.log: bench '{bench.id}' lacks those rows")
        else:
            rows.extend(more.rows)
    return to_record(replace(parsed, rows=rows), bench, parsed.file)


def read_suite(run_dir: Path, catalog: Catalog) -> SuiteImport:
    """Build, hardware and every lettered bench found in results/<family>/<model>/<precision>/."""
    if not run_dir.is_dir():
        raise ArenaError(f"{run_dir}: not a directory")
    build, hardware = read_build(run_dir)
    warnings: list[str] = []
    results: list[BenchRecord] = []
    for bench in catalog.benches.values():
        if bench.letter is None:
            continue
        record = import_bench(run_dir, bench, warnings)
        if record is not None:
            results.append(record)
    if not results:
        raise ArenaError(f"{run_dir}: no lettered result files (A_*.md .. J_*.json)")
    return SuiteImport(build=build, hardware=hardware, results=results, warnings=warnings)
