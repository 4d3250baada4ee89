"""A test double of the pynvml API (NVIDIA's library, not ours): a GPU with a scripted power trace.

In-process: `monkeypatch.setitem(sys.modules, "pynvml", module(FakeGpu(...)))`. For a CLI
subprocess, `shim(dir, ...)` writes a pynvml.py that installs the double when imported; put that
directory first on PYTHONPATH.
"""

from __future__ import annotations

import threading
import types
from dataclasses import dataclass, field
from pathlib import Path


class NVMLError(Exception):
    """pynvml's base error."""


class NVMLErrorNotSupported(NVMLError):
    """What NVML raises for a metric this GPU does not report."""


@dataclass
class FakeGpu:
    """What the double reports; every call is logged with the thread that made it."""

    power_mw: list[int] = field(default_factory=lambda: [100_000, 120_000, 140_000, 100_000])
    temp_c: int = 61
    sm_mhz: int = 2100
    util: int | None = None  # None: nvmlDeviceGetUtilizationRates raises NotSupported
    mem_used_bytes: int | None = 5 * 2**30  # None: nvmlDeviceGetMemoryInfo raises NotSupported
    count: int = 1
    init_error: str | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)
    shutdowns: int = 0
    _next: int = 0

    def log(self, name: str) -> None:
        self.calls.append((name, threading.current_thread().name))

    def power(self) -> int:
        """The trace's next value, cycling."""
        value = self.power_mw[self._next % len(self.power_mw)]
        self._next += 1
        return value


def module(gpu: FakeGpu) -> types.ModuleType:
    """A module object with the pynvml functions the sampler calls, backed by `gpu`."""
    m = types.ModuleType("pynvml")

    def init() -> None:
        gpu.log("nvmlInit")
        if gpu.init_error is not None:
            raise NVMLError(gpu.init_error)

    def shutdown() -> None:
        gpu.shutdowns += 1

    def not_supported(name: str) -> NVMLError:
        gpu.log(name)
        return NVMLErrorNotSupported("Not Supported")

    def utilization(handle: object) -> types.SimpleNamespace:
        if gpu.util is None:
            raise not_supported("nvmlDeviceGetUtilizationRates")
        return types.SimpleNamespace(gpu=gpu.util, memory=0)

    def memory(handle: object) -> types.SimpleNamespace:
        if gpu.mem_used_bytes is None:
            raise not_supported("nvmlDeviceGetMemoryInfo")
        return types.SimpleNamespace(used=gpu.mem_used_bytes, total=2 * gpu.mem_used_bytes)

    def power(handle: object) -> int:
        gpu.log("nvmlDeviceGetPowerUsage")
        return gpu.power()

    m.NVMLError = NVMLError
    m.nvmlInit = init
    m.nvmlShutdown = shutdown
    m.nvmlDeviceGetCount = lambda: gpu.count
    m.nvmlDeviceGetHandleByIndex = lambda i: f"gpu{i}"
    m.nvmlDeviceGetPowerUsage = power
    m.nvmlDeviceGetTemperature = lambda h, sensor: gpu.temp_c
    m.nvmlDeviceGetClockInfo = lambda h, clock: gpu.sm_mhz
    m.nvmlDeviceGetUtilizationRates = utilization
    m.nvmlDeviceGetMemoryInfo = memory
    m.nvmlDeviceGetComputeRunningProcesses = lambda h: []
    return m


def shim(directory: Path, **gpu: object) -> Path:
    """A pynvml.py in `directory` that replaces itself with module(FakeGpu(**gpu)) on import."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pynvml.py").write_text(
        "import sys\n"
        "from tests.servers.fake_nvml import FakeGpu, module\n"
        f"sys.modules[__name__] = module(FakeGpu(**{gpu!r}))\n",
        encoding="utf-8",
    )
    return directory
