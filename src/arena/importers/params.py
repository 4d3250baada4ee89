"""Parameter counts read off a checkpoint id or folder name, for builds no curated table knows."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from arena.builds import fill_build
from arena.records import BaseModelInfo, BuildInfo

# A dot splits too unless a digit follows: 'llama-2-7b.Q4_K_M' has '7b', 'Qwen3.5' stays whole.
SEPARATORS = re.compile(r"[-_\s]+|\.(?=\D)")
# A size token is the whole token between separators, so versions ('3.2', 'v0.3'), dates
# ('2506'), bit widths ('FP8', 'W4A16') and context lengths ('8k') never match.
SIZE = re.compile(r"(?P<e>e)?(?P<n>\d+(?:\.\d+)?)(?P<u>[mbt])", re.IGNORECASE)
ACTIVE = re.compile(r"a(?P<n>\d+(?:\.\d+)?)(?P<u>[mb])", re.IGNORECASE)
# 'Llama-4-Scout-17B-16E': an expert count after the size means the size is the active count.
EXPERTS = re.compile(r"\d+e", re.IGNORECASE)
BILLIONS = {"m": 0.001, "b": 1.0, "t": 1000.0}


@dataclass(frozen=True)
class ParsedParams:
    """Billions of parameters a name states; None where the name does not state that count."""

    total_b: float | None
    active_b: float | None
    text: str  # the matched part, e.g. '35B-A3B'
    name: str  # the name it was read from

    def describe(self) -> str:
        """One line for an import's warnings saying what was read and from where."""
        if self.total_b is not None:
            counts = f"{self.total_b:g}B"
            if self.active_b is not None:
                counts += f" / {self.active_b:g}B active"
        else:
            counts = f"total unknown, {self.active_b:g}B active"
        return f"params {counts} parsed from {self.text!r} in {self.name!r}"


@dataclass(frozen=True)
class _Token:
    """One size-like token of a name and where it sits."""

    index: int
    text: str
    billions: float


def _billions(number: str, unit: str) -> float:
    """'0.8', 'B' -> 0.8; '135', 'M' -> 0.135 (rounded: 135 x 0.001 is 0.13500000000000001)."""
    return round(float(number) * BILLIONS[unit.lower()], 6)


def _parse_one(name: str) -> ParsedParams | None:
    """The counts one name states, or None when it states none or two that disagree."""
    tokens = SEPARATORS.split(name.rstrip("/").rsplit("/", 1)[-1])
    totals: list[_Token] = []
    active_only: list[_Token] = []
    active: dict[int, _Token] = {}
    for i, tok in enumerate(tokens):
        size, act = SIZE.fullmatch(tok), ACTIVE.fullmatch(tok)
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if size and float(size["n"]) > 0:
            value = _billions(size["n"], size["u"])
            if size["e"]:
                # Gemma's 'E2B'/'E4B' count *effective* parameters: the per-layer embedding
                # tables are left out (E4B: 4.5B effective, 8B in all), so the name does not
                # state the total. Kept as the active count, as base_models.toml does.
                active_only.append(_Token(i, tok, value))
            elif EXPERTS.fullmatch(after):
                active_only.append(_Token(i, f"{tok}-{after}", value))
            else:
                totals.append(_Token(i, tok, value))
        elif act and float(act["n"]) > 0:
            active[i] = _Token(i, tok, _billions(act["n"], act["u"]))
    # B counts first: in '7B-Instruct-1M' the M is a context length, in 'TinyLlama-1.1B-3T' the
    # T is training tokens; an M or T count stands only where no B count does.
    for unit in "btm":
        if any(t.text[-1].lower() == unit for t in totals):
            totals = [t for t in totals if t.text[-1].lower() == unit]
            break
    if len({t.billions for t in totals}) > 1:
        return None
    if totals:
        total = totals[0]
        act_tok = active.get(total.index + 1)
        if act_tok is None or act_tok.billions > total.billions:
            return ParsedParams(total.billions, None, total.text, name)
        return ParsedParams(total.billions, act_tok.billions, f"{total.text}-{act_tok.text}", name)
    if len({t.billions for t in active_only}) == 1:
        return ParsedParams(None, active_only[0].billions, active_only[0].text, name)
    return None


def params_from_name(*names: str) -> ParsedParams | None:
    """Counts from the first name that states them (e.g. checkpoint id, then folder name)."""
    for name in names:
        parsed = _parse_one(name) if name else None
        if parsed is not None:
            return parsed
    return None


def _unavailable(build: BuildInfo) -> str:
    """What a build without a total count lacks, and the command that sets the counts."""
    lacks = "size bucket" + (" and VRAM estimate" if build.vram_gb is None else "")
    return (
        f"{lacks} unavailable; set them with `arena build set {build.id} --params-b N --active-b M`"
    )


def fill_params(
    build: BuildInfo, base: BaseModelInfo | None, *names: str
) -> tuple[BuildInfo, str | None]:
    """fill_build, with counts off the names when build and base have none; and a line saying so."""
    known = build.params_total_b is not None or build.params_active_b is not None
    if known or (base is not None and base.params_total_b is not None):
        return fill_build(build, base), None
    parsed = params_from_name(*names)
    if parsed is None:
        tried = " or ".join(repr(n) for n in names if n) or "no name"
        note = f"params unknown: no parameter count in {tried}; {_unavailable(build)}"
        return fill_build(build, base), note
    build = dataclasses.replace(
        build, params_total_b=parsed.total_b, params_active_b=parsed.active_b
    )
    note = parsed.describe()
    if parsed.total_b is None:
        note += f"; {_unavailable(build)}"
    return fill_build(build, base, params_from=f"parsed from {parsed.text!r}"), note
