"""Which stored quality number counts."""

from __future__ import annotations

from arena.scoring import QualityValue, pick_quality


def test_measured_beats_model_card() -> None:
    chosen = pick_quality(
        [QualityValue("mmlu_pro", 70, "model-card"), QualityValue("mmlu_pro", 64, "measured")]
    )
    assert chosen["mmlu_pro"].value == 64


def test_build_specific_beats_base_model_of_same_kind() -> None:
    chosen = pick_quality(
        [
            QualityValue("gpqa_diamond", 50, "measured", for_build=False),
            QualityValue("gpqa_diamond", 44, "measured", for_build=True),
        ]
    )
    assert chosen["gpqa_diamond"].value == 44


def test_custom_preference_and_unknown_kinds_ignored() -> None:
    values = [QualityValue("humaneval", 80, "model-card"), QualityValue("humaneval", 60, "odd")]
    assert pick_quality(values, ("model-card", "measured"))["humaneval"].value == 80
    assert pick_quality(values, ("measured",)) == {}
