"""One suite run directory (meta.json + result files of any catalog suite) into a run."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

from arena.catalog import Bench, Catalog, Suite, SuiteBench
from arena.energy import energy
from arena.errors import ArenaError
from arena.importers import vllm_bench
from arena.importers.common import bash_command, read_text
from arena.importers.llama_benchy import parse_markdown
from arena.importers.llama_benchy_record import ParsedClosed, to_record
from arena.importers.rate_sweep import parse_sweep
from arena.importers.sanity_files import read_sanity
from arena.importers.suite_meta import environment, read_build
from arena.importers.telemetry import SPAN, closed_loop_tokens, read_telemetry
from arena.records import BenchRecord, RunInfo, SuiteImport
from arena.verdicts import Flag

RUNS_ARG = re.compile(r"--runs\s+(\d+)")
OPEN_DURATION = "vllm bench serve duration (s)"
SWEEP_DURATION = "sum of the steps' vllm bench serve duration (s)"


def _patterns(part: SuiteBench) -> list[str]:
    """Every file-name glob of one bench of a suite."""
    found = [f"{stem}.{ext}" for stem in part.files for ext in ("md", "log", "json")]
    return found + [p for p in (part.telemetry, part.step_files) if p]


def _matching(names: Iterable[str], patterns: Iterable[str]) -> set[str]:
    """The names that match any of the globs."""
    pats = list(patterns)
    return {n for n in names if any(fnmatchcase(n, p) for p in pats)}


def detect_suite(run_dir: Path, catalog: Catalog) -> Suite:
    """The suite most of whose result files the directory holds (newest wins a tie)."""
    names = [p.name for p in run_dir.iterdir() if p.is_file()]
    best: tuple[int, Suite] | None = None
    for suite in catalog.suites.values():
        hits = len(_matching(names, (p for b in suite.benches for p in _patterns(b))))
        if hits and (best is None or hits >= best[0]):
            best = (hits, suite)
    if best is None:
        expected = "; ".join(
            f"{s.id}: {', '.join(b.files[0] for b in s.benches[:2])} .."
            for s in catalog.suites.values()
        )
        raise ArenaError(f"{run_dir}: no result files of any known suite ({expected})")
    return best[1]


def _find(run_dir: Path, stem: str, ext: str) -> Path | None:
    """The first file matching <stem>.<ext>, e.g. A_*.md or 01-chat.md."""
    found = sorted(run_dir.glob(f"{stem}.{ext}"))
    return found[0] if found else None


def _closed(run_dir: Path, stem: str) -> ParsedClosed | None:
    """A closed-loop part from its .md, falling back to the .log."""
    path = _find(run_dir, stem, "md") or _find(run_dir, stem, "log")
    return parse_markdown(path) if path is not None else None


def _with_energy(
    run_dir: Path,
    record: BenchRecord,
    part: SuiteBench,
    duration: tuple[float | None, str | None],
    tokens: int | None,
) -> BenchRecord:
    """The record with its telemetry's energy, when the suite keeps a CSV for the bench."""
    found = sorted(run_dir.glob(part.telemetry)) if part.telemetry else []
    if not found:
        return record
    path = found[0]
    t = read_telemetry(path)
    if t is None:
        return record
    seconds, source = duration
    if seconds is None:
        seconds, source = t.span_s, SPAN
    return dataclasses.replace(record, energy=energy(t.power, t.file, seconds, source, tokens))


def import_bench(
    run_dir: Path, bench: Bench, part: SuiteBench, warnings: list[str]
) -> BenchRecord | None:
    """One bench of a run dir; a missing file only warns (the bench is absent)."""
    first = part.files[0]
    if part.step_files is not None:
        path = _find(run_dir, first, "json")
        if path is None:
            warnings.append(f"no {first}.json: bench '{bench.id}' absent")
            return None
        steps = sorted(run_dir.glob(part.step_files))
        sweep = parse_sweep(path, steps, warnings)
        if sweep is None:
            return None
        source = SWEEP_DURATION if sweep.duration_s is not None else None
        duration = (sweep.duration_s, source)
        return _with_energy(run_dir, sweep.record, part, duration, sweep.output_tokens)
    if bench.mode == "open":
        path = _find(run_dir, first, "json")
        if path is None:
            warnings.append(f"no {first}.json: bench '{bench.id}' absent")
            return None
        md = _find(run_dir, first, "md")
        command = bash_command(read_text(md)) if md is not None else None
        record = vllm_bench.parse(path, bench.id, command=command)
        d = record.distribution
        secs = d.get("duration")
        toks = d.get("total_output_tokens")
        return _with_energy(
            run_dir,
            record,
            part,
            (float(secs) if isinstance(secs, int | float) else None, OPEN_DURATION),
            int(toks) if isinstance(toks, int | float) else None,
        )
    parsed = _closed(run_dir, first)
    if parsed is None:
        warnings.append(f"no {first}.md/.log: bench '{bench.id}' absent")
        return None
    rows = list(parsed.rows)
    for extra in part.files[1:]:
        more = _closed(run_dir, extra)
        if more is None:
            warnings.append(f"no {extra}.md/.log: bench '{bench.id}' lacks those rows")
        else:
            rows.extend(more.rows)
    record = to_record(dataclasses.replace(parsed, rows=rows), bench, parsed.file)
    runs = RUNS_ARG.search(parsed.command or "")
    tokens = closed_loop_tokens(list(parsed.rows), int(runs.group(1)) if runs else None)
    return _with_energy(run_dir, record, part, (None, None), tokens)


def run_id(suite_id: str, files: dict[str, str]) -> str:
    """'r' + 20 hex of sha256 over the suite and the (name, sha256) of the files read."""
    h = hashlib.sha256(suite_id.encode())
    for name in sorted(files):
        h.update(f"\n{name}\t{files[name]}".encode())
    return "r" + h.hexdigest()[:20]


def _suspect(record: BenchRecord, reason: str) -> BenchRecord:
    """The record flagged as from a model whose sanity answer looks broken."""
    return dataclasses.replace(
        record,
        flags=(Flag.SUSPECT, *record.flags),
        notes=[*record.notes, f"suspect: sanity answer {reason}"],
    )


def read_suite(run_dir: Path, catalog: Catalog) -> SuiteImport:
    """Build, hardware, run and every bench found in results/<family>/<model>/<precision>/."""
    if not run_dir.is_dir():
        raise ArenaError(f"{run_dir}: not a directory")
    warnings: list[str] = []
    build, hardware, meta = read_build(run_dir, warnings)
    suite = detect_suite(run_dir, catalog)
    results: list[BenchRecord] = []
    for part in suite.benches:
        record = import_bench(run_dir, catalog.benches[part.bench], part, warnings)
        if record is not None:
            results.append(record)
    if not results:
        raise ArenaError(f"{run_dir}: no result of suite {suite.id} could be read")
    names = sorted(p.name for p in run_dir.iterdir() if p.is_file())
    known = _matching(
        names, [*(p for b in suite.benches for p in _patterns(b)), *suite.known_files]
    )
    unknown = [n for n in names if n not in known]
    if unknown:
        warnings.append(f"files suite {suite.id} does not know (not read): {', '.join(unknown)}")
    files = {n: hashlib.sha256((run_dir / n).read_bytes()).hexdigest() for n in sorted(known)}
    sanity = read_sanity(run_dir)
    if sanity.verdict == "suspect" and sanity.reason:
        results = [_suspect(r, sanity.reason) for r in results]
    closed_version = next(
        (
            r.source.tool_version
            for r in results
            if r.source.tool == "llama-benchy" and r.source.tool_version
        ),
        None,
    )
    tools = {"vllm": build.engine_version or ""}
    benchy = meta.text("llama_benchy_version") or closed_version
    if benchy:
        tools["llama-benchy"] = benchy
    run = RunInfo(
        id=run_id(suite.id, files),
        suite=suite.id,
        hardware_id=hardware.id,
        date=build.run_date,
        engine="vllm",
        engine_version=build.engine_version,
        server_config=dict(build.server_config),
        tool_versions={k: v for k, v in tools.items() if v},
        environment=environment(meta),
        source_files=files,
        source_dir=str(run_dir.resolve()),
        sanity=sanity,
        vram_gb=build.vram_gb,
        vram_method=build.vram_method,
        vram_source=build.vram_source,
        origin="user",
    )
    return SuiteImport(build=build, hardware=hardware, results=results, warnings=warnings, run=run)
