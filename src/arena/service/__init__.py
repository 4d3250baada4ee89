"""Glue between store and scoring, shared by the CLI and the web page."""

from arena.service.detail import build_detail
from arena.service.leaderboard import Leaderboard, leaderboard, leaderboard_json

__all__ = ["Leaderboard", "build_detail", "leaderboard", "leaderboard_json"]
