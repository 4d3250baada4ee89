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

__all__ = [
    "Leaderboard",
    "Prepared",
    "build_detail",
    "leaderboard",
    "leaderboard_json",
    "leaderboard_text",
    "prepare",
]
