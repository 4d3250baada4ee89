"""The store seeds with the dataset its caller gives it: no store module imports the dataset."""

from __future__ import annotations

import ast
from pathlib import Path

import arena.store

FORBIDDEN = ("arena.dataset", "arena.importers", "arena.cli", "arena.web")


def imported(path: Path) -> set[str]:
    """Every module an import statement of the file names, function-level (lazy) ones included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_no_store_module_imports_dataset_importers_cli_or_web() -> None:
    files = sorted(Path(arena.store.__file__).parent.rglob("*.py"))
    assert len(files) > 5
    for f in files:
        bad = [n for n in imported(f) if n.startswith(FORBIDDEN)]
        assert not bad, f"{f.name} imports {bad}"


def test_the_check_sees_a_lazy_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("def seed():\n    from arena import dataset\n    return dataset\n")
    assert "arena.dataset" in imported(f)
