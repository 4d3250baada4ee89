"""`arena bench` as a library: measure a live OpenAI-compatible server with a suite of benches."""

from arena.bench.http import RequestResult, Timeouts
from arena.bench.suite import (
    SuiteConfig,
    SuiteProgress,
    SuiteResult,
    run_suite,
    select_benches,
)
from arena.bench.target import ServerGone

__all__ = [
    "RequestResult",
    "ServerGone",
    "SuiteConfig",
    "SuiteProgress",
    "SuiteResult",
    "Timeouts",
    "run_suite",
    "select_benches",
]
