"""Small shared helpers for importers: reading files and checking values into one-line errors."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TypeGuard

from arena.errors import ArenaError

FENCED_BASH = re.compile(r"```(?:bash|sh|shell)\s*\n(.*?)\n\s*```", re.DOTALL)


def read_text(path: Path) -> str:
    """Whole file as text, so a missing or binary file becomes one ArenaError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ArenaError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise ArenaError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise ArenaError(f"{path}: cannot read ({exc.strerror})") from exc


def load_json_object(path: Path) -> dict[str, object]:
    """A JSON object from a file; syntax errors are reported with their line number."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArenaError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from exc
    if not isinstance(data, dict):
        raise ArenaError(f"{path}: expected a JSON object at top level, got {type(data).__name__}")
    return data


def is_number(value: object) -> TypeGuard[int | float]:
    """True for finite int/float but not bool (JSON true must not pass as 1; NaN is no number)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def require_number(where: str, data: Mapping[str, object], key: str) -> float:
    """data[key] as float, or an ArenaError naming the file and field."""
    if key not in data:
        raise ArenaError(f"{where}: field '{key}': missing (expected a number)")
    value = data[key]
    if not is_number(value):
        raise ArenaError(f"{where}: field '{key}': expected a finite number, got {value!r}")
    return float(value)


def optional_number(where: str, data: Mapping[str, object], key: str) -> float | None:
    """data[key] as float when present and not null; a wrong type is still an error."""
    value = data.get(key)
    if value is None:
        return None
    if not is_number(value):
        raise ArenaError(f"{where}: field '{key}': expected a number or null, got {value!r}")
    return float(value)


def require_int(where: str, data: Mapping[str, object], key: str) -> int:
    """data[key] as int (counts such as completed requests)."""
    if key not in data:
        raise ArenaError(f"{where}: field '{key}': missing (expected an integer)")
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArenaError(f"{where}: field '{key}': expected an integer, got {value!r}")
    return value


def require_str(where: str, data: Mapping[str, object], key: str) -> str:
    """data[key] as a non-empty string."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        got = "missing" if key not in data else repr(value)
        raise ArenaError(f"{where}: field '{key}': expected a non-empty string, got {got}")
    return value


def bash_command(text: str) -> str | None:
    """The first fenced ```bash block (the runner writes the exact command there)."""
    match = FENCED_BASH.search(text)
    if match is None:
        return None
    lines = (line.strip().removesuffix("\\").strip() for line in match.group(1).splitlines())
    command = " ".join(line for line in lines if line)
    return command or None
