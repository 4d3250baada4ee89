"""Glue between store and scoring, shared by the CLI and the web page."""

from arena.service.detail import build_detail
from arena.service.leaderboard import (
    Leaderboard,
    Prepared,
    leaderboard,
    leaderboard_json,
    leaderboard_text,
    prepare,
)
from arena.service.shapes import (
    BenchDetail,
    Board,
    BoardEnvelope,
    BoardRow,
    BuildDetail,
    QualityEntry,
    RowHead,
    RowTail,
)

__all__ = [
    "BenchDetail",
    "Board",
    "BoardEnvelope",
    "BoardRow",
    "BuildDetail",
    "Leaderboard",
    "Prepared",
    "QualityEntry",
    "RowHead",
    "RowTail",
    "build_detail",
    "leaderboard",
    "leaderboard_json",
    "leaderboard_text",
    "prepare",
]
