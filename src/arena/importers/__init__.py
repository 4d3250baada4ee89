"""Importers: read benchmark output files and return records (no database here)."""

from arena.importers.llama_benchy import parse_csv, parse_markdown
from arena.importers.llama_benchy_json import parse_json
from arena.importers.llama_benchy_record import ParsedClosed, to_record
from arena.importers.suite import import_suite, read_build
from arena.importers.vllm_bench import parse as parse_vllm_bench

__all__ = [
    "ParsedClosed",
    "import_suite",
    "parse_csv",
    "parse_json",
    "parse_markdown",
    "parse_vllm_bench",
    "read_build",
    "to_record",
]
