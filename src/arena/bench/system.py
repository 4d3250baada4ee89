"""VRAM and telemetry: a given number, a vLLM log line, or NVML when a GPU is visible."""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena.errors import ArenaError
from arena.records import VramMethod
from arena.vllm_log import gib_to_gb, model_loading_gib


@dataclass(frozen=True)
class Vram:
    """VRAM in GB and how it was obtained."""

    gb: float
    method: VramMethod
    source: str


def vram_from_log(path: Path) -> Vram:
    """vLLM's "Model loading took N GiB memory" (the importer's reader: the last one), in GB."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError as exc:
        raise ArenaError(f"--server-log {path}: cannot read ({exc.strerror})") from exc
    gib = model_loading_gib(text)
    if gib is None:
        raise ArenaError(f"--server-log {path}: no line 'Model loading took N GiB memory' found")
    return Vram(gib_to_gb(gib), "engine-log", path.name)


def nvml_or_reason() -> tuple[Any, str | None]:
    """The initialised pynvml module, or None and why NVML cannot be read on this machine."""
    try:
        import pynvml  # type: ignore[import-untyped]
    except ImportError:
        return None, "no NVML: the pynvml module (nvidia-ml-py) cannot be imported"
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # NVMLError_LibraryNotFound, DriverNotLoaded, ...
        return None, f"no NVML: the NVIDIA driver library did not initialise ({exc})"
    try:
        count = int(pynvml.nvmlDeviceGetCount())
    except Exception as exc:
        count, why = 0, f"no GPU: NVML could not count devices ({exc})"
    else:
        why = "no GPU visible to NVML"
    if count < 1:
        with contextlib.suppress(Exception):
            pynvml.nvmlShutdown()
        return None, why
    return pynvml, None


def _nvml() -> Any:
    nv, _ = nvml_or_reason()
    return nv


def meminfo_used_gb() -> float | None:
    """MemTotal - MemAvailable from /proc/meminfo (unified-memory machines)."""
    try:
        info = dict(
            (line.split(":")[0], int(line.split()[1]))
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.split()[1:2] and line.split()[1].isdigit()
        )
    except OSError:
        return None
    if "MemTotal" not in info or "MemAvailable" not in info:
        return None
    return (info["MemTotal"] - info["MemAvailable"]) * 1024 / 1e9


DEVICE_WIDE = "NVML device used (device-wide, all processes)"
MEMINFO = "/proc/meminfo MemTotal - MemAvailable (unified memory, all processes)"


def pick_reading(
    procs: list[tuple[int, int | None]] | None,
    device_used_bytes: int | None,
    meminfo_gb: float | None,
    server_pids: set[int],
) -> Vram | None:
    """The best NVML-era memory reading, labelled with its source."""
    # The server's own processes where the driver lists them (pid, used bytes), else device-wide
    # used memory, else /proc/meminfo (unified memory, where NVML says Not Supported). Device-wide
    # and meminfo values include every process.
    if server_pids and procs:
        mine = [(pid, used) for pid, used in procs if pid in server_pids and used]
        if mine:
            pids = ",".join(str(pid) for pid, _ in sorted(mine))
            total = sum(used or 0 for _, used in mine)
            return Vram(round(total / 1e9, 2), "measured", f"NVML per-process (server pid {pids})")
    if device_used_bytes is not None:
        return Vram(round(device_used_bytes / 1e9, 2), "measured", DEVICE_WIDE)
    if meminfo_gb is not None:
        return Vram(round(meminfo_gb, 2), "measured", MEMINFO)
    return None


def nvml_used_gb(server_port: int | None = None) -> Vram | None:
    """GPU memory in use through NVML (see pick_reading); None without a GPU."""
    # With the port of a server on this machine, its processes' own memory where the driver reports
    # it.
    nv = _nvml()
    if nv is None:
        return None
    server_pids = local_listener_pids(server_port) if server_port else set()
    procs: list[tuple[int, int | None]] | None = None
    device: int | None = None
    meminfo: float | None = None
    try:
        handle = nv.nvmlDeviceGetHandleByIndex(0)
        with contextlib.suppress(nv.NVMLError):
            procs = [
                (int(p.pid), p.usedGpuMemory)
                for p in nv.nvmlDeviceGetComputeRunningProcesses(handle)
            ]
        try:
            device = int(nv.nvmlDeviceGetMemoryInfo(handle).used)
        except nv.NVMLError:  # unified memory (e.g. GB10) reports Not Supported
            meminfo = meminfo_used_gb()
    finally:
        nv.nvmlShutdown()
    return pick_reading(procs, device, meminfo, server_pids)


STORED_METHODS = ("engine-log", "manual", "measured")


def choose_vram(
    manual: Vram | None,
    engine_log: Vram | None,
    stored: Vram | None,
    measured: Vram | None,
    estimate: Vram | None,
) -> Vram | None:
    """Which VRAM figure a build keeps, by a fixed precedence."""
    # --vram-gb > --server-log > a stored engine-log, manual or measured value > a new NVML
    # measurement > an estimate from params x precision.
    if stored is not None and stored.method not in STORED_METHODS:
        stored = None
    for v in (manual, engine_log, stored, measured, estimate):
        if v is not None:
            return v
    return None


def local_listener_pids(port: int, proc: Path = Path("/proc")) -> set[int]:
    """Pids of the processes listening on a local TCP port."""
    # Linux /proc; empty elsewhere or when their file descriptors cannot be read.
    inodes: set[str] = set()
    for table in ("net/tcp", "net/tcp6"):
        with contextlib.suppress(OSError):
            for line in (proc / table).read_text().splitlines()[1:]:
                cols = line.split()
                if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(cols[9])
    if not inodes:
        return set()
    wanted = {f"socket:[{i}]" for i in inodes}
    pids: set[int] = set()
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (d / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if str(fd.readlink()) in wanted:
                        pids.add(int(d.name))
                        break
    return pids


def in_window(samples: list[dict[str, float]], start: float, end: float) -> list[dict[str, float]]:
    """The telemetry samples taken between start and end (time.time() seconds, inclusive)."""
    return [x for x in samples if start <= x.get("t", -1.0) <= end]


TEMPERATURE_GPU = 0  # NVML_TEMPERATURE_GPU
CLOCK_SM = 1  # NVML_CLOCK_SM
DEFAULT_INTERVAL_S = 1.0


def read_sample(nv: Any, handle: Any) -> dict[str, float]:
    """One sample in the v2 telemetry columns; a metric this GPU lacks (it raises) is absent."""
    # Units as nvidia-smi reports them: W, degrees C, SM clock MHz, GPU utilisation %, memory
    # used MiB (nvidia-smi's "MB"). NVML reports power in mW and memory in bytes.
    readers: dict[str, Callable[[], float]] = {
        "power_w": lambda: nv.nvmlDeviceGetPowerUsage(handle) / 1000,
        "temp_c": lambda: nv.nvmlDeviceGetTemperature(handle, TEMPERATURE_GPU),
        "sm_mhz": lambda: nv.nvmlDeviceGetClockInfo(handle, CLOCK_SM),
        "gpu_util": lambda: nv.nvmlDeviceGetUtilizationRates(handle).gpu,
        "mem_used_mb": lambda: round(nv.nvmlDeviceGetMemoryInfo(handle).used / 2**20),
    }
    sample: dict[str, float] = {"t": time.time()}
    for key, read in readers.items():
        with contextlib.suppress(Exception):  # NVMLError_NotSupported on e.g. unified memory
            value = float(read())
            if math.isfinite(value):
                sample[key] = value
    return sample


@dataclass
class Telemetry:
    """GPU power, temperature, SM clock, utilisation and memory every `interval` s via NVML."""

    # Sampling runs in a daemon thread, never on the event loop; `reason` says why nothing is
    # sampled (no NVML library, no driver, no GPU) and is None while NVML answers.
    interval: float = DEFAULT_INTERVAL_S
    samples: list[dict[str, float]] = field(default_factory=list)
    reason: str | None = "not started"
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def source(self) -> str:
        """How the samples were taken, for the Energy record and the summary line."""
        return f"NVML GPU 0, every {self.interval:g} s"

    def start(self) -> None:
        """Begin sampling in a daemon thread, a first sample at once."""
        nv, self.reason = nvml_or_reason()
        if nv is None:
            return
        try:
            handle = nv.nvmlDeviceGetHandleByIndex(0)
        except Exception as exc:
            self.reason = f"no GPU: NVML could not open GPU 0 ({exc})"
            with contextlib.suppress(Exception):
                nv.nvmlShutdown()
            return
        self._thread = threading.Thread(
            target=self._loop, args=(nv, handle), daemon=True, name="telemetry"
        )
        self._thread.start()

    def window(self, start: float, end: float) -> list[dict[str, float]]:
        """Samples taken so far between start and end (one bench's own window)."""
        return in_window(list(self.samples), start, end)

    def stop(self) -> list[dict[str, float]]:
        """End sampling; the samples taken."""
        self._stop.set()
        if self._thread:
            self._thread.join(self.interval + 5)
        return self.samples

    def _loop(self, nv: Any, handle: Any) -> None:
        try:
            due = time.monotonic()
            while not self._stop.is_set():
                self.samples.append(read_sample(nv, handle))
                # the next sample on the fixed grid, so slow reads do not stretch the interval
                due = max(due + self.interval, time.monotonic())
                self._stop.wait(due - time.monotonic())
        finally:
            with contextlib.suppress(Exception):
                nv.nvmlShutdown()
