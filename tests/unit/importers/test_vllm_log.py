"""vLLM's "Model loading took N GiB": one reader, the last line of a log, and the v1 logs' fact."""

from __future__ import annotations

import pytest

from arena.vllm_log import MODEL_LOADING, gib_to_gb, model_loading_gib
from tests.unit.importers.paths import SHARED, needs_shared

LINE = "(EngineCore pid=1) INFO [gpu_model_runner.py:4854] Model loading took {} GiB memory"


def test_the_last_load_of_a_log_counts() -> None:
    text = "\n".join([LINE.format("10.5"), "restart", LINE.format("64.69"), "ready"])
    assert model_loading_gib(text) == 64.69


def test_no_line_is_none() -> None:
    assert model_loading_gib("INFO Starting vLLM API server\n") is None
    assert model_loading_gib(LINE.format("..")) is None


def test_gib_in_decimal_gb() -> None:
    assert gib_to_gb(64.69) == 69.46
    assert gib_to_gb(7.43) == 7.98


@needs_shared
def test_no_v1_log_holds_two_different_loads() -> None:
    """First or last makes no difference to the bundled dataset: no log has two values."""
    logs = [*SHARED.rglob("_bootlog.txt"), *SHARED.rglob("*.log")]
    assert len(logs) > 200
    with_line = 0
    for path in logs:
        values = set(MODEL_LOADING.findall(path.read_text("utf-8", errors="replace")))
        assert len(values) <= 1, path
        with_line += bool(values)
    assert with_line == 3


@pytest.mark.parametrize(
    ("text", "gib"), [("Model loading took 1.5 GiB", 1.5), ("x Model loading took 2 GiB y", 2.0)]
)
def test_numbers_with_and_without_decimals(text: str, gib: float) -> None:
    assert model_loading_gib(text) == gib
