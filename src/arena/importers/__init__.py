"""Importers: read benchmark output files into records, check them, then write them to a store."""

from arena.importers.bundled import BUNDLES, Bundle, build_dataset
from arena.importers.curated import curated_base, read_base_models
from arena.importers.llama_benchy import parse_csv, parse_markdown
from arena.importers.llama_benchy_json import parse_json
from arena.importers.llama_benchy_record import ParsedClosed, Row, to_record
from arena.importers.params import ParsedParams, fill_params, params_from_name
from arena.importers.pending import (
    DatasetFile,
    ImportedBuild,
    ImportKind,
    ImportResult,
    OneResult,
    PendingImport,
    SuiteRuns,
)
from arena.importers.rate_sweep import parse_sweep
from arena.importers.reading import (
    detect_kind,
    import_path,
    read_dataset,
    read_llama_benchy,
    read_path,
    read_suite_runs,
    read_vllm_bench,
    suite_dirs,
)
from arena.importers.sanity_files import read_sanity
from arena.importers.suite import detect_suite, read_suite, run_id
from arena.importers.suite_meta import base_model, read_build
from arena.importers.telemetry import read_telemetry
from arena.importers.vllm_bench import parse as parse_vllm_bench

__all__ = [
    "BUNDLES",
    "Bundle",
    "DatasetFile",
    "ImportKind",
    "ImportResult",
    "ImportedBuild",
    "OneResult",
    "ParsedClosed",
    "ParsedParams",
    "PendingImport",
    "Row",
    "SuiteRuns",
    "base_model",
    "build_dataset",
    "curated_base",
    "detect_kind",
    "detect_suite",
    "fill_params",
    "import_path",
    "params_from_name",
    "parse_csv",
    "parse_json",
    "parse_markdown",
    "parse_sweep",
    "parse_vllm_bench",
    "read_base_models",
    "read_build",
    "read_dataset",
    "read_llama_benchy",
    "read_path",
    "read_sanity",
    "read_suite",
    "read_suite_runs",
    "read_telemetry",
    "read_vllm_bench",
    "run_id",
    "suite_dirs",
    "to_record",
]
