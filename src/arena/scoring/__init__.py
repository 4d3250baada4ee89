"""Pure scoring: plain data in, ranked rows out (no database, HTTP, clock or randomness)."""

from arena.scoring.engine import cohort, order, rank
from arena.scoring.quality import CODING_METRICS, QualityValue, pick_quality, quality_raw
from arena.scoring.types import Candidate, Cohort, Ranking, Row, make_weights

__all__ = [
    "CODING_METRICS",
    "Candidate",
    "Cohort",
    "QualityValue",
    "Ranking",
    "Row",
    "cohort",
    "make_weights",
    "order",
    "pick_quality",
    "quality_raw",
    "rank",
]
