"""A board's write route (POST /api/runs, mounted with --writable) and the read-only run status
and bundle schema routes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import time
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from typing_extensions import TypedDict

from arena.dataset import RunBundle, from_bundle
from arena.dataset.bundle_schema import SCHEMA_ID, bundle_schema
from arena.errors import ArenaError
from arena.store.board import SubmissionConflict, put_submitted, submitted_run, verify
from arena.web.api import ApiError, board_data
from arena.web.shapes import ErrorBody

DEFAULT_MAX_BUNDLE_MB = 8.0
DEFAULT_RATE_PER_MIN = 60.0  # runs per minute per token, with a burst of as many

router = APIRouter(prefix="/api", tags=["board"])
write_router = APIRouter(prefix="/api", tags=["board"])


class SubmitAnswer(TypedDict):
    """What POST /api/runs answers on 200 and 201."""

    run_id: str
    status: str  # "created" | "exists"
    content_hash: str
    build_id: str


class RunStatus(TypedDict):
    """A stored run's board facts: who sent it, when, its digest, whether it was retracted."""

    run_id: str
    build_id: str
    suite: str
    hardware_id: str
    submitted_by: str | None
    submitted_at: str | None
    retracted_at: str | None
    retract_reason: str | None
    content_hash: str | None


class RateLimit:
    """A token bucket per host: `per_minute` runs a minute, up to `burst` at once; state lives
    in this process, so each server worker counts on its own."""

    def __init__(self, per_minute: float, burst: float | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst if burst is not None else per_minute
        self._state: dict[str, tuple[float, float]] = {}  # host -> (tokens, at)

    def take(self, host: str) -> float:
        """0 when `host` may send now (one token spent), else the seconds until it may."""
        now = time.monotonic()
        tokens, at = self._state.get(host, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1:
            self._state[host] = (tokens - 1, now)
            return 0.0
        self._state[host] = (tokens, now)
        return (1 - tokens) / self.rate if self.rate > 0 else math.inf


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


async def _body(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `cap` bytes (before parsing)."""
    limit = f"expected a bundle of at most {cap:,} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise ApiError(413, f"body: {int(declared):,} bytes; {limit}")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > cap:
            raise ApiError(413, f"body: over {cap:,} bytes; {limit}")
    return bytes(data)


def _host(request: Request, authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "header 'Authorization': expected 'Bearer TOKEN' (arena token add)")
    host = verify(board_data(request).store, token.strip())
    if host is None:
        raise ApiError(401, "header 'Authorization': unknown or revoked token")
    return host


@write_router.post(
    "/runs",
    summary="Submit one run (an arena-run/1 bundle) with a host's token",
    description="Header `Authorization: Bearer TOKEN` (from `arena token add HOST`); body: one "
    f"arena-run/1 bundle, JSON Schema at `{SCHEMA_ID}`. 201 created, 200 when the same run id "
    "or the same content is stored already (`run_id` is the stored one), 409 for a run id "
    "stored with other content, 401 without a valid token, 413 over the size limit, 422 "
    "naming the field, 429 over the token's rate (see Retry-After; `arena serve "
    "--rate-per-min`, counted per server process). A 2xx answer means the run is committed.",
    status_code=201,
    responses={
        200: {"model": SubmitAnswer, "description": "Stored already"},
        201: {"model": SubmitAnswer, "description": "Stored now"},
        401: {"model": ErrorBody},
        409: {"model": ErrorBody},
        413: {"model": ErrorBody},
        422: {"model": ErrorBody},
        429: {"model": ErrorBody},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": SCHEMA_ID}}},
        }
    },
)
async def post_run(request: Request) -> JSONResponse:
    """Store one run sent by a host, at most once."""
    host = await asyncio.to_thread(_host, request, request.headers.get("authorization"))
    limits: RateLimit = request.app.state.rate_limit
    wait = limits.take(host)
    if wait > 0:
        retry_after = str(max(1, math.ceil(wait)))
        return JSONResponse(
            {"error": f"host '{host}': over {limits.rate * 60:g} runs a minute; retry later"},
            status_code=429,
            headers={"Retry-After": retry_after},
        )
    raw = await _body(request, request.app.state.max_bundle_bytes)
    try:
        data: Any = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        message = f"body: not valid JSON ({exc}); expected one arena-run/1 bundle"
        raise ApiError(422, message) from exc
    try:
        bundle: RunBundle = from_bundle(data, origin="body")
    except ArenaError as exc:
        raise ApiError(422, str(exc)) from exc
    store, catalog = board_data(request).store, board_data(request).catalog
    try:
        run_id, status = await asyncio.to_thread(put_submitted, store, bundle, host, catalog)
    except SubmissionConflict as exc:
        raise ApiError(409, str(exc)) from exc
    except ArenaError as exc:
        raise ApiError(422, f"body: {exc}") from exc
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return JSONResponse(
            {"error": f"database: {reason}; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    answer: SubmitAnswer = {
        "run_id": run_id,
        "status": status,
        "content_hash": bundle.content_hash(),
        "build_id": bundle.build.id,
    }
    return JSONResponse(answer, status_code=201 if status == "created" else 200)


@router.get(
    "/runs/{run_id}",
    summary="One stored run: who submitted it, when, its content digest, retraction",
    responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
def get_run(request: Request, run_id: str) -> RunStatus:
    """Whether the board holds a run, and its board facts."""
    found = submitted_run(board_data(request).store, run_id)
    if found is None:
        raise ApiError(404, f"unknown run '{run_id}'")
    return cast(RunStatus, dataclasses.asdict(found))  # the same fields, by name


# What the schema route answers, for /openapi.json: a JSON Schema (2020-12) document.
_SCHEMA_DOC = {
    "type": "object",
    "description": "A JSON Schema (2020-12) document, served as application/schema+json",
    "properties": {
        "$schema": {"type": "string"},
        "$id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "type": {"type": "string"},
        "properties": {"type": "object"},
        "required": {"type": "array", "items": {"type": "string"}},
        "additionalProperties": {"type": "boolean"},
        "$defs": {"type": "object"},
    },
}


@router.get(
    "/schema/arena-run-1.json",
    summary="JSON Schema of the arena-run/1 bundle that POST /api/runs accepts",
    description="Generated from the records the store keeps; a board also checks that the "
    "suite and each bench id are in its catalog.",
    responses={200: {"content": {"application/json": {"schema": _SCHEMA_DOC}}}},
)
def get_bundle_schema() -> JSONResponse:
    """The bundle format as JSON Schema (2020-12)."""
    return JSONResponse(bundle_schema(), media_type="application/schema+json")
