"""The app factory: ``create_app(store, settings)`` builds the explorer over one read-only store.

Everything that does not change with a request (tables, the framework, the baseline evaluation, the
normalised data the re-weighting starts from) is read once here, so requests only filter and aggregate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from aicity.web import i18n
from aicity.web.errors import error_response, install_error_handlers
from aicity.web.explorer import Explorer
from aicity.web.security import SecurityMiddleware
from aicity.web.settings import WebSettings

if TYPE_CHECKING:
    from aicity.store import Store

HERE = Path(__file__).resolve().parent
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
    templates = _templates(settings)
    app.state.templates = templates
    app.state.render_error = _error_page_renderer(templates, settings)

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


def _templates(settings: WebSettings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.autoescape = True  # every value is escaped; a firm called <script> shows as text
    env.globals["settings"] = settings
    env.filters["num"] = _format_number
    env.tests["weblink"] = _is_web_link
    return templates


def _is_web_link(value: Any) -> bool:
    """Only http(s) URLs become links: a source URL like ``javascript:...`` stays plain text."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _format_number(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number:  # NaN
        return "–"
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.{digits}f}"


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    """What every page template needs: language, the switch link, the translator."""
    settings: WebSettings = request.app.state.settings
    lang = i18n.pick_language(request, settings.default_language)
    other = i18n.other_language(lang)
    switch_url = request.url.include_query_params(lang=other)
    return {
        "request": request,
        "lang": lang,
        "other_lang": other,
        "switch_url": f"{switch_url.path}?{switch_url.query}",
        "t": lambda key, **kw: (
            i18n.translate(key, lang).format(**kw) if kw else i18n.translate(key, lang)
        ),
        "title": settings.title_zh if lang == "zh" else settings.title_en,
        "explorer": request.app.state.explorer,
        "nm": lambda row: _name(row, lang),
        **extra,
    }


def _name(row: Any, lang: str) -> str:
    """The row's name in the page language, falling back to the other one."""
    if not isinstance(row, dict):
        return str(row)
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    return str(row.get(first) or row.get(second) or row.get("name") or "")


def render(request: Request, template: str, status: int = 200, **extra: Any) -> Response:
    context = page_context(request, **extra)
    response = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie("lang", context["lang"], max_age=365 * 86400, samesite="lax")
    return response


def _error_page_renderer(templates: Jinja2Templates, settings: WebSettings) -> Any:
    def render_error(request: Request, status: int, message: str) -> Response:
        try:
            return render(request, "error.html", status=status, status_code=status, message=message)
        except Exception:  # the error page itself must never fail: fall back to the JSON envelope
            from starlette.responses import JSONResponse

            from aicity.web.errors import envelope

            return JSONResponse(envelope(status, message), status_code=status)

    return render_error


def serve(
    app: FastAPI, host: str = "127.0.0.1", port: int = 8000, log_level: str = "warning"
) -> None:
    """Run the explorer under uvicorn (one process) exactly as ``aicity serve`` does."""
    import gc

    import uvicorn

    # Everything built at start-up lives as long as the app: freezing it keeps the garbage collector from
    # walking it again and again under load, which shortens the latency tail.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
