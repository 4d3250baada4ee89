"""Facts vLLM prints in its server log, read by both the suite importer and the bench."""

from __future__ import annotations

import re

GB_PER_GIB = 1.073741824
MODEL_LOADING = re.compile(r"Model loading took (\d+(?:\.\d+)?) GiB")


def model_loading_gib(text: str) -> float | None:
    """The last "Model loading took N GiB" in a log, in GiB; None when the log has none."""
    # The last line wins: a log that holds a restart reports the load of the server that stayed
    # up. The v1 runs hold at most one such line per file, so first and last agree there.
    hits = MODEL_LOADING.findall(text)
    return float(hits[-1]) if hits else None


def gib_to_gb(gib: float) -> float:
    """GiB as decimal GB, two places, as builds store VRAM."""
    return round(gib * GB_PER_GIB, 2)
