"""Closed loop with llama-benchy's semantics: c requests together, the next batch when all end."""

from arena.bench.closed.loop import Point, peak_rate, point_row, prefill_end, run_closed
from arena.bench.closed.record import closed_record

__all__ = ["Point", "closed_record", "peak_rate", "point_row", "prefill_end", "run_closed"]
