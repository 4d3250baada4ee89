"""The package layout holds: no import cycle inside arena, layers import downstream only, and
every package names its public API while no other module re-exports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src"
ROOT = SRC / "arena"

# layer -> layers it must not import (the data flow: bench/importers -> store -> scoring -> ...)
FORBIDDEN = {
    "arena.scoring": ("arena.store", "arena.web", "arena.bench", "arena.importers", "arena.cli"),
    "arena.bench": ("arena.cli", "arena.web"),
    "arena.evals": ("arena.cli", "arena.web"),
    "arena.importers": ("arena.cli", "arena.web"),
    "arena.store": ("arena.cli", "arena.web", "arena.dataset", "arena.importers", "arena.submit"),
    # service level: reads the store (runs as bundles) and talks HTTP to a board
    "arena.submit": ("arena.cli", "arena.web", "arena.bench", "arena.importers"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}  # migrations included


def _is_module(name: str, known: dict[str, Path]) -> bool:
    return name in known


def _imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every arena module this file imports, at any depth of the code (lazy imports count)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("arena"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("arena"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if _is_module(sub, known) else base), node.lineno


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {
        name: {dep for dep, _ in _imports(name, path, known) if dep in known and dep != name}
        for name, path in known.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    # the checker itself: an import inside a function is an edge like a top-level one
    graph = _graph()
    assert "arena.bench.http.request" in graph["arena.bench.http.client"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    lazy = tmp_path / "m.py"
    lazy.write_text("def seed():\n    from arena import dataset\n    from . import repo\n")
    found = [dep for dep, _ in _imports("arena.store.m", lazy, _modules())]
    assert found == ["arena.dataset", "arena.store.repo"]


def test_no_import_cycle_inside_arena() -> None:
    assert _cycles(_graph()) == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_downstream_only(layer: str) -> None:
    known = _modules()
    bad = [
        f"{path.relative_to(SRC)}:{line} imports {dep}"
        for name, path in known.items()
        if name == layer or name.startswith(layer + ".")
        for dep, line in _imports(name, path, known)
        if any(dep == f or dep.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert bad == []


def _defined(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return list(value)
    return None


def test_every_package_names_its_public_api() -> None:
    missing = [
        str(d.relative_to(SRC))
        for d in sorted(p for p in ROOT.rglob("*") if p.is_dir())
        if any(d.glob("*.py")) and "migrations" not in d.parts
        if not (d / "__init__.py").is_file()
        or _all(ast.parse((d / "__init__.py").read_text("utf-8"))) is None
    ]
    assert missing == []


def test_no_module_besides_an_init_re_exports() -> None:
    facades = []
    for name, path in _modules().items():
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        exported = _all(tree) or []
        foreign = sorted(set(exported) - _defined(tree))
        if foreign:
            facades.append(f"{name} re-exports {', '.join(foreign)}")
    assert facades == []
