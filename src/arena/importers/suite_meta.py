"""A suite run's meta.json, folder names and logs into its build and the facts of the run."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from arena.catalog import bytes_per_param
from arena.errors import ArenaError
from arena.importers.common import load_json_object, read_text, require_str
from arena.importers.curated import curated_ids
from arena.importers.names import display_name
from arena.records import BuildInfo, HardwareInfo
from arena.vllm_log import gib_to_gb, model_loading_gib

SPARK = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
ENGINE_VERSION = re.compile(r"^v?(\d+\.\d+(?:\.\d+)?)(?:$|[-+])")
RELEASE = re.compile(r"^(\d+\.\d+(?:\.\d+)?)")
LOG_VERSION = re.compile(r"\bversion (\d+\.\d+\.\d+\S*)")
ENGINE_STARTED = re.compile(
    r"Starting vLLM (?:API )?server|Application startup complete|Available routes are"
)
SPEC_ARG = re.compile(r"--speculative[-_]config")
SPEC_METHOD = re.compile(r'"method"\s*:\s*"([\w-]+)"')
CRASH_LOG = "_server-crash.log"
BOOT_LOG = "_bootlog.txt"
NOTES = {"mtp": "speculative decoding (MTP)", "spec": "speculative decoding"}


@lru_cache(maxsize=1)
def base_models() -> dict[str, str]:
    """Checkpoint -> base model special cases from base_models.toml."""
    text = resources.files("arena.importers").joinpath("base_models.toml").read_text("utf-8")
    return {str(k): str(v) for k, v in tomllib.loads(text).get("base", {}).items()}


def strip_precision(name: str) -> tuple[str, str | None]:
    """'Qwen3.6-27B-FP8' -> ('Qwen3.6-27B', 'fp8'); no known suffix -> (name, None)."""
    head, _, tail = name.rpartition("-")
    if head and tail.lower() in bytes_per_param():
        return head, tail.lower()
    return name, None


def base_model(checkpoint: str) -> str:
    """HF id of the unquantised base: the table's entry, the suffix stripped, or a curated id."""
    # A re-quantiser's repo ('RedHatAI/Qwen3.6-35B-A3B-NVFP4') names the base by its repo part
    # only: a curated base whose repo part equals it (case aside) is taken as the base.
    known = base_models().get(checkpoint)
    if known is not None:
        return known
    stripped = strip_precision(checkpoint)[0]
    curated = curated_ids()
    if stripped in curated:
        return stripped
    repo = stripped.rsplit("/", 1)[-1].lower()
    match = [c for c in curated if c.rsplit("/", 1)[-1].lower() == repo]
    return match[0] if len(match) == 1 else stripped


def precision_of(folder: str, checkpoint: str) -> str:
    """The folder's first dash-token when it is a precision, else the checkpoint's suffix."""
    token = folder.split("-", 1)[0].lower()
    if token in bytes_per_param():
        return token
    return strip_precision(checkpoint)[1] or "bf16"


def engine_version(image: str) -> str | None:
    """Image tag: 'v0.23.0-aarch64-cu129-ubuntu2404' -> '0.23.0'; non-versions kept as is."""
    if ":" not in image:
        return None
    tag = image.rsplit(":", 1)[1]
    match = ENGINE_VERSION.match(tag)
    return match.group(1) if match else tag


def speculative(folder: str, args: str, profile_env: str) -> str | None:
    """'mtp', 'spec' or None: a 'mtp-'/'-spec' folder, or --speculative-config in the args."""
    tokens = folder.lower().split("-")
    if tokens[0] == "mtp":
        return "mtp"
    if "spec" in tokens[1:]:
        return "spec"
    for text in (args, profile_env):
        arg = SPEC_ARG.search(text)
        if arg is not None:
            method = SPEC_METHOD.search(text[arg.end() :])
            return "mtp" if method and method.group(1).lower() == "mtp" else "spec"
    return None


@dataclass(frozen=True)
class Vram:
    """VRAM read off an engine log that belongs to this run."""

    gb: float
    source: str


def vram_from_logs(run_dir: Path, run_version: str | None, warnings: list[str]) -> Vram | None:
    """'Model loading took N GiB' from a boot or runner log of this run; crash logs never."""
    # A log counts when the engine started in it and its vLLM version (when it prints one)
    # has the run's release (0.19.2rc1.dev134 has release 0.19.2). A run whose version is a
    # non-version image tag (suite v1's 'cu130-nightly') cannot be checked: its log counts.
    want = RELEASE.match(run_version or "")
    for path in [run_dir / BOOT_LOG, *sorted(run_dir.glob("*.log"))]:
        if path.name == CRASH_LOG or not path.is_file():
            continue
        text = read_text(path)
        gib = model_loading_gib(text)
        if gib is None:
            continue
        if not ENGINE_STARTED.search(text):
            warnings.append(f"{path.name}: the engine never started in it; not used for VRAM")
            continue
        got = LOG_VERSION.search(text)
        release = RELEASE.match(got.group(1)) if got else None
        if want and release and release.group(1) != want.group(1):
            warnings.append(
                f"{path.name}: vLLM {got.group(1) if got else '?'}, not this run's "
                f"{run_version}; not used for VRAM"
            )
            continue
        return Vram(gib_to_gb(gib), path.name)
    return None


@dataclass(frozen=True)
class Meta:
    """meta.json's facts as the importer uses them."""

    data: dict[str, object]
    checkpoint: str
    served: str
    image: str
    server_config: dict[str, object]

    def text(self, key: str) -> str | None:
        """A top-level string field, None when absent or not a string."""
        value = self.data.get(key)
        return value if isinstance(value, str) and value.strip() else None


def read_meta(run_dir: Path) -> Meta:
    """meta.json with its required fields checked."""
    path = run_dir / "meta.json"
    if not path.is_file():
        raise ArenaError(f"{path}: missing (every suite run directory has one)")
    data = load_json_object(path)
    where = str(path)
    config = data.get("server_config", {})
    if not isinstance(config, dict):
        raise ArenaError(f"{where}: field 'server_config': expected an object, got {config!r}")
    return Meta(
        data,
        require_str(where, data, "model"),
        require_str(where, data, "served_name"),
        require_str(where, data, "vllm_image"),
        dict(config),
    )


def hardware_of(meta: Meta) -> HardwareInfo:
    """The DGX Spark for its runs (or no hardware named), else a slug of the text."""
    text = meta.text("hardware") or ""
    if "spark" in text.lower() or not text:
        return SPARK
    return HardwareInfo(re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-"), text)


def run_engine_version(meta: Meta) -> str | None:
    """The version the server reported, else the image tag's."""
    return meta.text("vllm_version_reported") or engine_version(meta.image)


def read_build(
    run_dir: Path, warnings: list[str] | None = None
) -> tuple[BuildInfo, HardwareInfo, Meta]:
    """BuildInfo from meta.json, the folder names and the run's logs."""
    warnings = [] if warnings is None else warnings
    meta = read_meta(run_dir)
    folder, model_folder = run_dir.name, run_dir.parent.name
    env_path = run_dir / "_profile.env"
    profile_env = read_text(env_path) if env_path.is_file() else ""
    args = meta.server_config.get("extra_vllm_args")
    spec = speculative(folder, args if isinstance(args, str) else "", profile_env)
    server_config: dict[str, object] = {**meta.server_config, "served_name": meta.served}
    if meta.text("profile"):
        server_config["profile"] = meta.text("profile")
    if spec is not None:
        server_config["note"] = NOTES[spec]
    hardware = hardware_of(meta)
    precision = precision_of(folder, meta.checkpoint)
    base = base_model(meta.checkpoint)
    version = run_engine_version(meta)
    vram = vram_from_logs(run_dir, version, warnings)
    repo_name = strip_precision(base.rsplit("/", 1)[-1])[0]
    build = BuildInfo(
        id=f"{model_folder}-{folder}",
        name=display_name(repo_name, precision, folder, version, spec),
        base_model=base,
        precision=precision,
        hardware_id=hardware.id,
        checkpoint=meta.checkpoint,
        engine="vllm",
        engine_version=version,
        server_config=server_config,
        vram_gb=vram.gb if vram else None,
        vram_method="engine-log" if vram else None,
        vram_source=vram.source if vram else None,
        run_date=meta.text("generated_at"),
    )
    return build, hardware, meta


def environment(meta: Meta) -> dict[str, str]:
    """Driver, VBIOS and image of the run, as meta.json states them."""
    keys = {"driver_version": "driver_version", "vbios_version": "vbios_version"}
    env = {out: v for key, out in keys.items() if (v := meta.text(key)) is not None}
    env["image"] = meta.image
    return env
