"""What a suite run is asked to do, what it reports while it runs, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from arena.bench.http import Endpoint, RequestResult, Timeouts
from arena.builds import BuildSpec
from arena.catalog.types import Bench
from arena.records import BenchRecord


@dataclass(frozen=True)
class SuiteConfig:
    """One `arena bench` run as data: the server, the build it stores under, the benches."""

    model: str  # the served model name (GET /v1/models)
    build: BuildSpec
    benches: tuple[Bench, ...]
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: str | None = None
    profile: str = "full"
    seed: int = 42
    endpoint: Endpoint = "chat"
    ignore_eos: bool = False  # open loop only; the closed loop always forces the length
    resume: bool = False
    timeouts: Timeouts = field(default_factory=Timeouts)
    sharegpt: Path | None = None
    server_log: Path | None = None  # vLLM log with "Model loading took N GiB"
    export_dir: Path | None = None
    power_interval: float = 1.0  # seconds between NVML power samples (>= 1 Hz by default)
    suite: str = "v2"  # the suite the run is stored under (its benches' shapes)
    command: str = "arena.bench.run_suite"  # provenance: the command line that asked for it


@dataclass(frozen=True)
class SuiteResult:
    """What one run did: the records it stored, and what --resume left alone."""

    build_id: str
    records: tuple[BenchRecord, ...]
    skipped: tuple[str, ...] = ()  # stored already with the same parameters
    remeasured: tuple[str, ...] = ()  # "bench (why)" for stored results measured again
    suspect: str | None = None  # why the sanity check failed, if it did
    power: str | None = None  # one line: how power was measured, or that it was not and why
    run_id: str | None = None  # the run stored; None when --resume left nothing to measure


class SuiteProgress:
    """Callbacks while a suite runs; each is a no-op here, a front end overrides what it shows."""

    def resume(self, skipped: list[str], again: list[str]) -> None:
        """--resume decided what to skip and what to measure again."""

    def warning(self, text: str) -> None:
        """Something the user should read before the results (e.g. a failed sanity check)."""

    def bench_start(self, bench: Bench, total: int) -> None:
        """A bench begins with `total` requests planned."""

    def phase(self, bench: Bench, text: str) -> None:
        """A part of the bench begins (a sweep's step: "0.5 rps (125 requests)")."""

    def request(self, bench: Bench, result: RequestResult) -> None:
        """One request of the bench finished (ok or not)."""

    def bench_done(self, bench: Bench, record: BenchRecord) -> None:
        """The bench is measured and stored."""
