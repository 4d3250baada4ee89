"""Read-only JSON API: the same shapes as the CLI's JSON output, plus the catalog as data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from arena.catalog.types import Weights
from arena.errors import ArenaError
from arena.scoring import make_weights
from arena.service import Board, BuildDetail
from arena.web.data import BoardData
from arena.web.shapes import BenchInfo, BucketInfo, ErrorBody, PresetInfo, Summary

router = APIRouter(prefix="/api", tags=["api"])


class ApiError(Exception):
    """An error answered as JSON naming what was wrong and, where useful, the valid values."""

    def __init__(self, status: int, message: str, valid: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.valid = valid

    def response(self) -> JSONResponse:
        """The JSON body: {"error": ..., "valid": [...]}."""
        body: ErrorBody = {"error": self.message}
        if self.valid is not None:
            body["valid"] = self.valid
        return JSONResponse(body, status_code=self.status)


def board_data(request: Request) -> BoardData:
    """The app's shared data cache."""
    data: BoardData = request.app.state.data
    return data


def parse_weights(wq: float | None, wg: float | None, we: float | None) -> Weights | None:
    """All three weights (percent or fractions) or none; anything else is a 422."""
    given = [w for w in (wq, wg, we) if w is not None]
    if not given:
        return None
    if len(given) != 3:
        raise ApiError(422, "custom weights need all three of wq, wg and we")
    try:
        return make_weights(given[0], given[1], given[2])
    except ArenaError as exc:
        raise ApiError(422, str(exc)) from exc


def check_choice(kind: str, value: str, valid: list[str]) -> None:
    """404 naming the valid ids when a preset or bucket is unknown."""
    if value not in valid:
        raise ApiError(404, f"unknown {kind} '{value}'", valid)


WeightQuery = Annotated[
    float | None, Query(description="Custom weight in percent (sum 100) or fraction (sum 1).")
]


@router.get(
    "/leaderboard",
    summary="Ranked builds (same JSON as `arena leaderboard`)",
    responses={200: {"model": Board}},  # documents the shape; the body is cached bytes
)
def get_leaderboard(
    request: Request,
    preset: Annotated[str, Query(description="Preset id, see /api/presets.")] = "aggregate",
    bucket: Annotated[str, Query(description="Bucket id, see /api/buckets.")] = "all",
    wq: WeightQuery = None,
    wg: WeightQuery = None,
    we: WeightQuery = None,
) -> Response:
    """Rank the builds of one bucket for one preset, optionally with custom weights."""
    data = board_data(request)
    check_choice("preset", preset, list(data.catalog.presets))
    check_choice("bucket", bucket, list(data.catalog.buckets))
    weights = parse_weights(wq, wg, we)
    body = data.board_bytes(preset, bucket, weights)
    return Response(body, media_type="application/json")


@router.get("/models/{build_id}", summary="One build (same JSON as `arena show --format json`)")
def get_model(request: Request, build_id: str) -> BuildDetail:
    """Every bench with provenance, quality with sources, VRAM with method."""
    data = board_data(request)
    detail = data.detail(build_id)
    if detail is None:
        raise ApiError(404, f"unknown model '{build_id}'", data.build_ids())
    return detail


@router.get("/presets", summary="Use-case presets: weights and benches")
def get_presets(request: Request) -> list[PresetInfo]:
    """The presets in effect (built-in plus user config)."""
    return board_data(request).presets()


@router.get("/benches", summary="The benches of the suite")
def get_benches(request: Request) -> list[BenchInfo]:
    """Bench definitions as data."""
    return board_data(request).benches()


@router.get("/buckets", summary="Size buckets (cohorts)")
def get_buckets(request: Request) -> list[BucketInfo]:
    """Buckets by total parameters in billions."""
    return board_data(request).buckets()


@router.get("/summary", summary="Headline facts: counts, hardware, datasets, latest run")
def get_summary(request: Request) -> Summary:
    """What the page headline and footer show."""
    return board_data(request).summary()
