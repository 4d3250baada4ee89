"""`arena serve`: the leaderboard page, its chart, and a read-only JSON API."""

from arena.web.app import CSP, create_app
from arena.web.snapshot import render_snapshot

__all__ = ["CSP", "create_app", "render_snapshot"]
