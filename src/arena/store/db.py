"""Where the database is, and bringing it to the current schema with Alembic."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from arena.errors import ArenaError


def default_db_path() -> Path:
    """arena.db in the platform's user data dir."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("arena")) / "arena.db"


def resolve_url(db: str | None) -> str:
    """--db or ARENA_DB as a path or SQLAlchemy URL; else the default SQLite file."""
    value = db or os.environ.get("ARENA_DB") or str(default_db_path())
    if "://" in value:
        try:
            make_url(value).get_dialect()
        except (ArgumentError, NoSuchModuleError) as exc:
            raise ArenaError(
                f"database URL {value!r}: {exc}; expected e.g. sqlite:///path or "
                "postgresql+psycopg://user@host/db"
            ) from exc
        return value
    path = Path(value).expanduser().resolve()
    if path.is_dir():
        raise ArenaError(f"--db {value}: is a directory; expected a database file path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArenaError(
            f"--db {value}: cannot create its directory {path.parent} ({exc.strerror}); "
            "expected a database file path in a writable directory"
        ) from exc
    return f"sqlite:///{path}"


def _sqlite_foreign_keys(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    """Engine with foreign keys enforced on SQLite too."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("arena.store") / "migrations"))
    return cfg


def migrate(engine: Engine) -> bool:
    """Upgrade to head when behind; True when a migration ran."""
    cfg = _alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return False
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
