"""Custom benches from a YAML file: a list of mappings with the catalog's bench fields."""

from __future__ import annotations

from pathlib import Path

import yaml

from arena.catalog.loader import parse_bench
from arena.catalog.types import Bench
from arena.errors import ArenaError


def load_bench_file(path: Path) -> list[Bench]:
    """Validated benches; a bad entry names the file, index, field and value."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ArenaError(f"--bench-file {path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ArenaError(f"--bench-file {path}:{where}: not valid YAML") from exc
    if not isinstance(data, list) or not data:
        raise ArenaError(f"--bench-file {path}: expected a YAML list of bench mappings")
    return [parse_bench(f"{path}: bench[{i}]", raw) for i, raw in enumerate(data)]
