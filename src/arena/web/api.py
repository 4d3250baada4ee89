"""Read-only JSON API: the same shapes as the CLI's JSON output, plus the catalog as data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from arena.catalog.types import Weights
from arena.errors import ArenaError
from arena.scoring import make_weights
from arena.service import Board, BuildDetail, Comparison, HardwareChoiceError, check_ids, compare
from arena.web.data import BoardData
from arena.web.shapes import (
    BenchInfo,
    BucketInfo,
    ErrorBody,
    HardwareProfileInfo,
    InvalidBody,
    PresetInfo,
    Summary,
)

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
SuiteQuery = Annotated[
    str | None,
    Query(description="Suite id, see /api/summary (default: the newest suite with data)."),
]


# The error answers of routes with parameters, in the schema beside the 200 (FastAPI's default
# 422 entry would name a {"detail"} body the API never sends).
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown id; `valid` lists the known ones"}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": InvalidBody, "description": "A parameter that could not be read"}
}


def check_suite(data: BoardData, suite: str | None) -> None:
    """404 naming the valid ids when a suite is unknown."""
    if suite is not None:
        check_choice("suite", suite, data.suite_ids())


HardwareQuery = Annotated[
    str | None,
    Query(
        description="Hardware id, see `hardware` of each suite in /api/summary (default: the "
        "hardware with the most builds in the suite). Scores compare builds on one hardware."
    ),
]


def check_hardware(data: BoardData, suite: str | None, hardware: str | None) -> None:
    """422 naming the valid ids when a hardware has no data in the suite."""
    if hardware is not None:
        valid = data.hardware_ids(data.suite(suite))
        if hardware not in valid:
            raise ApiError(
                422, f"hardware '{hardware}' has no data in this suite; expected one of", valid
            )


@router.get(
    "/leaderboard",
    summary="Ranked builds (same JSON as `arena leaderboard`)",
    # documents the shape; the body is cached bytes
    responses={200: {"model": Board}, **NOT_FOUND, **INVALID},
)
def get_leaderboard(
    request: Request,
    preset: Annotated[str, Query(description="Preset id, see /api/presets.")] = "aggregate",
    bucket: Annotated[str, Query(description="Bucket id, see /api/buckets.")] = "all",
    wq: WeightQuery = None,
    wg: WeightQuery = None,
    we: WeightQuery = None,
    suite: SuiteQuery = None,
    max_vram_gb: Annotated[
        float | None,
        Query(
            description="Memory budget in GB: builds whose VRAM exceeds it leave the cohort "
            "before scoring (unknown VRAM stays, flagged no-vram); `hidden_over_budget` "
            "counts them."
        ),
    ] = None,
    hardware: HardwareQuery = None,
) -> Response:
    """Rank the builds of one suite, hardware and bucket for one preset, optionally with custom
    weights and within a memory budget."""
    data = board_data(request)
    check_choice("preset", preset, list(data.catalog.presets))
    check_choice("bucket", bucket, list(data.catalog.buckets))
    check_suite(data, suite)
    check_hardware(data, suite, hardware)
    weights = parse_weights(wq, wg, we)
    if max_vram_gb is not None and not 0 < max_vram_gb < float("inf"):
        raise ApiError(422, f"max_vram_gb = {max_vram_gb:g}; expected a number of GB above 0")
    body = data.board_bytes(preset, bucket, weights, suite, max_vram_gb, hardware)
    return Response(body, media_type="application/json")


@router.get(
    "/models/{build_id}",
    summary="One build (same JSON as `arena show --format json`)",
    responses={**NOT_FOUND, **INVALID},
)
def get_model(
    request: Request,
    build_id: str,
    suite: Annotated[
        str | None,
        Query(description="Suite id (default: the newest suite this build has a run in)."),
    ] = None,
    run: Annotated[str | None, Query(description="One run of the build, see `runs`.")] = None,
    hardware: Annotated[
        str | None,
        Query(
            description="Hardware id (default: the board's default hardware when the build has "
            "runs on it, else the hardware of most of its runs). `runs` lists every hardware."
        ),
    ] = None,
) -> BuildDetail:
    """Runs (every hardware and host, with trust signals), every bench with provenance and
    energy, quality with sources, VRAM with method."""
    data = board_data(request)
    check_suite(data, suite)
    if hardware is not None and hardware not in data.hardware_names():
        raise ApiError(422, f"unknown hardware '{hardware}'", sorted(data.hardware_names()))
    try:
        detail = data.detail(build_id, suite, run, hardware)
    except ArenaError as exc:  # a suite, hardware or run this build does not have
        raise ApiError(404, str(exc)) from exc
    if detail is None:
        raise ApiError(404, f"unknown model '{build_id}'", data.build_ids())
    return detail


@router.get(
    "/compare",
    summary="2 to 4 builds side by side (same JSON as `arena compare`)",
    responses={**NOT_FOUND, **INVALID},
)
def get_compare(
    request: Request,
    ids: Annotated[
        str, Query(description="2 to 4 build ids, comma-separated; the first is the reference.")
    ],
    suite: Annotated[
        str | None,
        Query(description="Suite id (default: the newest suite all of them have a run in)."),
    ] = None,
    hardware: Annotated[
        str | None,
        Query(
            description="Hardware id every headline comes from (default: the suite's default "
            "hardware, else one all of them have a run on); see `hardware` in the answer."
        ),
    ] = None,
) -> Comparison:
    """Per bench the headlines on one hardware, % against the first build and whether that
    exceeds the run-to-run spread (`rule`); quality, VRAM, config differences and runs over
    time."""
    data = board_data(request)
    check_suite(data, suite)
    if hardware is not None and hardware not in data.hardware_names():
        raise ApiError(422, f"unknown hardware '{hardware}'", sorted(data.hardware_names()))
    try:
        wanted = check_ids(ids.split(","))
    except ArenaError as exc:
        raise ApiError(422, str(exc)) from exc
    try:
        return compare(data.store, data.catalog, wanted, suite, hardware)
    except HardwareChoiceError as exc:  # a hardware one of them has no run on
        raise ApiError(422, str(exc), exc.valid) from exc
    except ArenaError as exc:  # an unknown build, or a suite one of them has no run in
        raise ApiError(404, str(exc)) from exc


@router.get("/presets", summary="Use-case presets: weights and benches")
def get_presets(request: Request) -> list[PresetInfo]:
    """The presets in effect (built-in plus user config)."""
    return board_data(request).presets()


@router.get(
    "/benches",
    summary="The benches: all, or those of one suite in its order",
    responses={**NOT_FOUND, **INVALID},
)
def get_benches(
    request: Request,
    suite: Annotated[str | None, Query(description="Suite id; all benches when absent.")] = None,
) -> list[BenchInfo]:
    """Bench definitions as data."""
    data = board_data(request)
    check_suite(data, suite)
    return data.benches(suite)


@router.get("/hardware", summary="Hardware profiles: memory and memory bandwidth, with sources")
def get_hardware(request: Request) -> list[HardwareProfileInfo]:
    """The boxes a memory budget or a roofline can name."""
    return [
        {
            "id": h.id,
            "name": h.name,
            "memory_gb": h.memory_gb,
            "memory_bandwidth_gbs": h.memory_bandwidth_gbs,
            "source": h.source,
            "note": h.note,
        }
        for h in board_data(request).catalog.hardware.values()
    ]


@router.get("/buckets", summary="Size buckets (cohorts)")
def get_buckets(request: Request) -> list[BucketInfo]:
    """Buckets by total parameters in billions."""
    return board_data(request).buckets()


@router.get(
    "/summary", summary="Headline facts: counts, hardware, datasets, latest run, suites with data"
)
def get_summary(request: Request) -> Summary:
    """What the page headline and footer show."""
    return board_data(request).summary()
