"""Scoring stays pure: no store, web, bench, importers, database, HTTP, clock or randomness."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import arena.scoring

FORBIDDEN_ARENA = (
    "arena.store",
    "arena.web",
    "arena.bench",
    "arena.importers",
    "arena.service",
    "arena.cli",
    "arena.dataset",
)
FORBIDDEN_OTHER = (
    "sqlalchemy",
    "alembic",
    "httpx",
    "aiohttp",
    "requests",
    "urllib",
    "socket",
    "http",
    "random",
    "time",
    "datetime",
    "secrets",
    "uuid",
    "numpy.random",
)


def imported_names(path: Path) -> set[str]:
    """Every module named in an import statement of one file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_scoring_sources_import_nothing_forbidden() -> None:
    pkg = Path(arena.scoring.__file__).parent
    files = sorted(pkg.glob("*.py"))
    assert files
    for f in files:
        for name in imported_names(f):
            bad = [
                p
                for p in (*FORBIDDEN_ARENA, *FORBIDDEN_OTHER)
                if name == p or name.startswith(p + ".")
            ]
            assert not bad, f"{f.name} imports {name}"


def test_importing_scoring_loads_no_forbidden_arena_package() -> None:
    code = (
        "import sys, arena.scoring\n"
        f"bad = [m for m in sys.modules if m.startswith({FORBIDDEN_ARENA!r})]\n"
        "bad += [m for m in ('sqlalchemy', 'alembic', 'httpx', 'random') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_boundary_check_detects_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from arena.store import Store\nimport random\n")
    assert {"arena.store", "random"} <= imported_names(bad)
