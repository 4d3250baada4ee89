"""Glue between store and scoring, shared by the CLI and the web page."""

from arena.service.board import leaderboard_json, leaderboard_text
from arena.service.compare import RULE, compare
from arena.service.compare_scope import HardwareChoiceError, UnknownBuildError, check_ids
from arena.service.compare_shapes import Comparison
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
    "RULE",
    "BenchDetail",
    "Board",
    "BoardEnvelope",
    "BoardRow",
    "BuildDetail",
    "Comparison",
    "HardwareChoiceError",
    "HardwareEntry",
    "Leaderboard",
    "Prepared",
    "QualityEntry",
    "RowHead",
    "RowTail",
    "RunEntry",
    "SanityShape",
    "SuiteEntry",
    "UnknownBuildError",
    "board",
    "build_detail",
    "build_view",
    "check_ids",
    "compare",
    "detail",
    "leaderboard",
    "leaderboard_json",
    "leaderboard_text",
    "prepare",
    "resolve_hardware",
    "resolve_suite",
    "suite_entries",
]
