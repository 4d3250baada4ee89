"""Results store: SQLAlchemy 2 on SQLite by default, any SQLAlchemy URL (PostgreSQL) by choice."""

from arena.store.db import default_db_path, resolve_url
from arena.store.repo import Store
from arena.store.views import BuildView
from arena.store.writes import LEGACY_SUITE

__all__ = ["LEGACY_SUITE", "BuildView", "Store", "default_db_path", "resolve_url"]
