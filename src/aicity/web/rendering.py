"""Page rendering shared by the app and its routes: the templates, what every page needs, the error page.

Its own module, so ``web/routes`` import it rather than ``web/app`` (which imports the routes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from aicity.web import i18n
from aicity.web.settings import WebSettings

HERE = Path(__file__).resolve().parent


def templates_for(settings: WebSettings) -> Jinja2Templates:
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


def error_page_renderer(templates: Jinja2Templates, settings: WebSettings) -> Any:
    def render_error(request: Request, status: int, message: str) -> Response:
        try:
            return render(request, "error.html", status=status, status_code=status, message=message)
        except Exception:  # the error page itself must never fail: fall back to the JSON envelope
            from starlette.responses import JSONResponse

            from aicity.web.errors import envelope

            return JSONResponse(envelope(status, message), status_code=status)

    return render_error
