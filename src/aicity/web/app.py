"""The app factory: ``create_app(store, settings)`` builds the explorer over one read-only store.

Everything that does not change with a request (tables, the framework, the baseline evaluation, the
normalised data the re-weighting starts from) is read once here, so requests only filter and aggregate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from aicity.paths import DEFAULT_HOST, DEFAULT_PORT
from aicity.web.errors import error_response, install_error_handlers
from aicity.web.explorer import Explorer
from aicity.web.rendering import error_page_renderer, page_context, render, templates_for
from aicity.web.security import SecurityMiddleware
from aicity.web.settings import WebSettings

if TYPE_CHECKING:
    from aicity.store import Store

HERE = Path(__file__).resolve().parent
__all__ = ["API_PREFIX", "create_app", "page_context", "render", "serve"]
API_PREFIX = "/api/v1"


def create_app(store: Store | Explorer, settings: WebSettings | None = None) -> FastAPI:
    """Build the explorer. ``store`` is read once at start-up (pass an ``Explorer`` to reuse a snapshot)."""
    settings = settings or WebSettings()
    explorer = store if isinstance(store, Explorer) else Explorer.from_store(store)
    if settings.warm_up:
        explorer.warm_up()
    app = FastAPI(
        title=settings.title_en,
        version="1",
        description=(
            "Read-only JSON API over the aicity store: cities, parks, enterprises, the framework, "
            "evaluation runs, and rankings recomputed with new weights by the same engine as the CLI. "
            'Every error answers {"ok": false, "error": ..., "status": ...}.'
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.explorer = explorer
    templates = templates_for(settings)
    app.state.templates = templates
    app.state.render_error = error_page_renderer(templates, settings)

    install_error_handlers(app)
    from aicity.web.routes import api, assets, pages, questions

    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(questions.router, prefix=API_PREFIX)  # issue 16: site, targets
    app.include_router(assets.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(
        SecurityMiddleware, max_url_length=settings.max_url_length, error_response=error_response
    )
    return app


def serve(
    app: FastAPI, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, log_level: str = "warning"
) -> None:
    """Run the explorer under uvicorn (one process) exactly as ``aicity serve`` does."""
    import gc

    import uvicorn

    # Everything built at start-up lives as long as the app: freezing it keeps the garbage collector from
    # walking it again and again under load, which shortens the latency tail.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
