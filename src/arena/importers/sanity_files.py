"""A suite run's sanity answer (_sanity-raw.json, _sanity.txt) judged by `arena bench`'s rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

from arena.importers.common import read_text
from arena.records import Sanity
from arena.sanity_rule import suspect_reason

RAW = "_sanity-raw.json"
TEXT = "_sanity.txt"
KEYS = ("content", "reasoning", "reasoning_content")
# A JSON string value, closed or cut off by the end of the file.
FIELD = {k: re.compile(rf'"{k}"\s*:\s*"((?:[^"\\]|\\.)*)', re.DOTALL) for k in KEYS}


def _cut_answer(text: str) -> str | None:
    """The message text of a completion the runner cut off mid-string (not valid JSON)."""
    for key in KEYS:
        match = FIELD[key].search(text)
        if match and match.group(1).strip():
            body = re.sub(r"\\u?[0-9a-fA-F]{0,3}$|\\$", "", match.group(1))
            try:
                return str(json.loads(f'"{body}"'))
            except json.JSONDecodeError:
                return body
    return None


def _raw_answer(path: Path) -> str | None:
    """The message text of an OpenAI chat completion (content, else the reasoning)."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return _cut_answer(text)
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    if not isinstance(message, dict):
        return None
    for key in KEYS:
        value = message.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def read_sanity(run_dir: Path) -> Sanity:
    """The full raw answer when kept, else the runner's (shortened) text; none: not checked."""
    # The question differs per suite (v2: "Tel van 1 tot 5."), so only the rule's hard signs
    # apply (special tokens, repetition, non-text): garbage output, not the answer's content.
    raw = run_dir / RAW
    answer = _raw_answer(raw) if raw.is_file() else None
    source = RAW
    if answer is None:
        text = run_dir / TEXT
        if not text.is_file():
            return Sanity("not-checked")
        answer, source = read_text(text).strip(), TEXT
    reason = suspect_reason(answer, expected=None)
    return Sanity("suspect" if reason else "ok", answer, reason, source)
