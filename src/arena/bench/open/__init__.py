"""Open loop with vllm bench serve's semantics: a seeded arrival plan, sent on its schedule."""

from arena.bench.open.loop import REFUSED_IN_A_ROW, run_open
from arena.bench.open.metrics import (
    OpenMetrics,
    length_note,
    open_metrics,
    vllm_max_concurrent_requests,
)
from arena.bench.open.plan import (
    SHAREGPT_FILTER,
    SYNTHETIC_SHAREGPT,
    Job,
    OpenOptions,
    arrival_offsets,
    clamp_lengths,
    is_valid_sequence,
    plan,
    random_lengths,
    sharegpt_items,
    sharegpt_pairs,
    synthetic_sharegpt,
)
from arena.bench.open.record import open_record

__all__ = [
    "REFUSED_IN_A_ROW",
    "SHAREGPT_FILTER",
    "SYNTHETIC_SHAREGPT",
    "Job",
    "OpenMetrics",
    "OpenOptions",
    "arrival_offsets",
    "clamp_lengths",
    "is_valid_sequence",
    "length_note",
    "open_metrics",
    "open_record",
    "plan",
    "random_lengths",
    "run_open",
    "sharegpt_items",
    "sharegpt_pairs",
    "synthetic_sharegpt",
    "vllm_max_concurrent_requests",
]
