"""Glue between store and scoring, shared by the CLI and the web page."""

from arena.service.board import leaderboard_json, leaderboard_text
from arena.service.detail import build_detail
from arena.service.leaderboard import Leaderboard, Prepared, leaderboard, prepare
from arena.service.queries import board, build_view, detail
from arena.service.shapes import (
    BenchDetail,
    Board,
    BoardEnvelope,
    BoardRow,
    BuildDetail,
    QualityEntry,
    RowHead,
    RowTail,
    RunEntry,
    SanityShape,
)
from arena.service.suites import (
    HardwareEntry,
    SuiteEntry,
    resolve_hardware,
    resolve_suite,
    suite_entries,
)

__all__ = [
    "BenchDetail",
    "Board",
    "BoardEnvelope",
    "BoardRow",
    "BuildDetail",
    "HardwareEntry",
    "Leaderboard",
    "Prepared",
    "QualityEntry",
    "RowHead",
    "RowTail",
    "RunEntry",
    "SanityShape",
    "SuiteEntry",
    "board",
    "build_detail",
    "build_view",
    "detail",
    "leaderboard",
    "leaderboard_json",
    "leaderboard_text",
    "prepare",
    "resolve_hardware",
    "resolve_suite",
    "suite_entries",
]
