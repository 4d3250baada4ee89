"""VRAM and telemetry: a given number, a vLLM log line, or NVML when a GPU is visible."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena.errors import ArenaError
from arena.records import VramMethod

GIB = 1.073741824
LOG_RE = re.compile(r"Model loading took ([0-9.]+) GiB")


@dataclass(frozen=True)
class Vram:
    """VRAM in GB and how it was obtained."""

    gb: float
    method: VramMethod
    source: str


def vram_from_log(path: Path) -> Vram:
    """vLLM's "Model loading took N GiB memory" (the last one in the file), in GB."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError as exc:
        raise ArenaError(f"--server-log {path}: cannot read ({exc.strerror})") from exc
    hits = LOG_RE.findall(text)
    if not hits:
        raise ArenaError(f"--server-log {path}: no line 'Model loading took N GiB memory' found")
    return Vram(round(float(hits[-1]) * GIB, 2), "engine-log", path.name)


def _nvml() -> Any:
    try:
        import pynvml  # type: ignore[import-untyped]

        pynvml.nvmlInit()
        if pynvml.nvmlDeviceGetCount() < 1:
            return None
        return pynvml
    except Exception:  # no driver, no GPU, or no library: telemetry is silently absent
        return None


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


def nvml_used_gb(server_pids: set[int] | None = None) -> Vram | None:
    """GPU memory in use: per server process where the driver reports it, else device-wide."""
    nv = _nvml()
    if nv is None:
        return None
    try:
        handle = nv.nvmlDeviceGetHandleByIndex(0)
        try:
            procs = nv.nvmlDeviceGetComputeRunningProcesses(handle)
            mine = [p for p in procs if not server_pids or p.pid in server_pids]
            used = sum(p.usedGpuMemory or 0 for p in mine)
            if used:
                return Vram(round(used / 1e9, 2), "measured", "NVML per-process")
        except nv.NVMLError:
            pass
        try:
            mem = nv.nvmlDeviceGetMemoryInfo(handle)
            return Vram(round(mem.used / 1e9, 2), "measured", "NVML device used")
        except nv.NVMLError:  # unified memory (e.g. GB10) reports Not Supported
            used_gb = meminfo_used_gb()
            if used_gb is None:
                return None
            return Vram(round(used_gb, 2), "measured", "/proc/meminfo (unified memory)")
    finally:
        nv.nvmlShutdown()


@dataclass
class Telemetry:
    """Power, temperature and memory every `interval` s through NVML; empty without a GPU."""

    interval: float = 10.0
    samples: list[dict[str, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin sampling in a daemon thread (never on the event loop)."""
        if _nvml() is None:
            return
        self._thread = threading.Thread(target=self._loop, daemon=True, name="telemetry")
        self._thread.start()

    def stop(self) -> list[dict[str, float]]:
        """End sampling; the samples taken."""
        self._stop.set()
        if self._thread:
            self._thread.join(self.interval + 1)
        return self.samples

    def _loop(self) -> None:
        nv = _nvml()
        if nv is None:
            return
        handle = nv.nvmlDeviceGetHandleByIndex(0)
        while not self._stop.is_set():
            sample: dict[str, float] = {"t": time.time()}
            readers: dict[str, Callable[[], float]] = {
                "power_w": lambda: float(nv.nvmlDeviceGetPowerUsage(handle)) / 1000,
                "temp_c": lambda: float(nv.nvmlDeviceGetTemperature(handle, 0)),
                "mem_used_gb": lambda: float(nv.nvmlDeviceGetMemoryInfo(handle).used) / 1e9,
            }
            for key, read in readers.items():
                with contextlib.suppress(Exception):  # a metric this GPU lacks stays absent
                    sample[key] = read()
            self.samples.append(sample)
            self._stop.wait(self.interval)
        nv.nvmlShutdown()
