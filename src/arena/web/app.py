"""The FastAPI app: static page shell, JSON API, same-origin Plotly, security headers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arena import __version__
from arena.dataset import open_store
from arena.store import Store
from arena.web.api import ApiError, router
from arena.web.assets import JS_TYPE, plotly_response
from arena.web.data import BoardData
from arena.web.plotly_shim import plotly_css, prep_js
from arena.web.submit import (
    DEFAULT_MAX_BUNDLE_MB,
    DEFAULT_RATE_PER_MIN,
    RateLimit,
    write_router,
)
from arena.web.submit import router as submit_router

STATIC = Path(str(resources.files("arena.web") / "static"))

# Same-origin everything; no inline script, no eval. Plotly sets element styles through the
# CSSOM (allowed) and a few style attributes (style-src-attr), its stylesheet rules come from
# our own /static/plotly-rules.css via the `no-inline-styles` marker element.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app` so every response it sends gets the headers."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Append headers on response start; pass everything else through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            """Add the headers to the response start message."""
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Pure ASGI middleware answering HEAD like GET without a body, on every route."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app` so GET-only routes answer HEAD too."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run HEAD as GET and drop the body bytes (the headers, length included, stay)."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            """Pass the start message; send each body message empty."""
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def page(name: str) -> FileResponse:
    """One of the static HTML shells (data comes from the API)."""
    return FileResponse(
        STATIC / name, media_type="text/html; charset=utf-8", headers={"cache-control": "no-cache"}
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Rank every preset x bucket before listening, so no first visitor waits for a load."""
    data: BoardData = app.state.data
    await asyncio.to_thread(data.warm)  # uvicorn opens the socket after startup completes
    yield


def create_app(
    db: str | None = None,
    store: Store | None = None,
    writable: bool = False,
    max_bundle_mb: float = DEFAULT_MAX_BUNDLE_MB,
    rate_per_min: float = DEFAULT_RATE_PER_MIN,
) -> FastAPI:
    """The web app over a store (opened, migrated and seeded like the CLI does); `writable`
    adds POST /api/runs for hosts holding a token."""
    description = (
        "JSON API of The Arena leaderboard; this board accepts runs at POST /api/runs."
        if writable
        else "Read-only JSON API of The Arena leaderboard."
    )
    app = FastAPI(
        lifespan=lifespan,
        title="The Arena",
        version=__version__,
        description=description,
        docs_url=None,
        redoc_url=None,
    )
    app.state.data = BoardData(store or open_store(db))
    app.state.max_bundle_bytes = int(max_bundle_mb * 1024 * 1024)
    app.state.rate_limit = RateLimit(rate_per_min)
    app.include_router(router)
    app.include_router(submit_router)
    if writable:
        app.include_router(write_router)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        """API errors answer with their own status and JSON body."""
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """404/405 and the like in the API's error shape, with their headers (Allow)."""
        message = f"{request.method} {request.url.path}: {exc.detail}"
        if exc.status_code == 405:
            allowed = (exc.headers or {}).get("allow", "GET")
            message += f"; expected one of {allowed}"
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """Same error shape as every other API error: {"error": ..., "detail": [...]}."""
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid request')}"
        detail = jsonable_encoder(exc.errors())
        return JSONResponse(status_code=422, content={"error": message, "detail": detail})

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def index() -> FileResponse:
        """The leaderboard page shell."""
        return page("index.html")

    @app.api_route("/models/{build_id}", methods=["GET", "HEAD"], include_in_schema=False)
    def model_page(request: Request, build_id: str) -> Response:
        """One build's page shell, or a 404 page for an unknown build."""
        data: BoardData = request.app.state.data
        if build_id not in data.build_ids():
            return HTMLResponse(
                "<!doctype html><title>Not found</title><p>Unknown model. "
                '<a href="/">Back to the leaderboard</a></p>',
                status_code=404,
            )
        return page("model.html")

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs() -> FileResponse:
        """The API documentation page shell."""
        return page("docs.html")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        """The installed plotly.js bundle, compressed when the client accepts it."""
        return plotly_response(request.headers.get("accept-encoding", ""))

    @app.get("/static/plotly-rules.css", include_in_schema=False)
    def plotly_rules() -> Response:
        """Plotly's stylesheet as a same-origin file, since the CSP forbids inline styles."""
        return Response(
            plotly_css(),
            media_type="text/css; charset=utf-8",
            headers={"cache-control": "public, max-age=86400"},
        )

    @app.get("/static/plotly-prep.js", include_in_schema=False)
    def plotly_prep() -> Response:
        """The script that stops plotly.js from injecting inline styles on load."""
        return Response(prep_js(), media_type=JS_TYPE, headers={"cache-control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """An empty answer to the browser's default favicon request (pages link favicon.svg)."""
        return Response(status_code=204)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    return app
