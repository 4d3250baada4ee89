"""`arena serve`: the leaderboard page, its chart, and a read-only JSON API."""

from arena.web.app import CSP, create_app

__all__ = ["CSP", "create_app"]
