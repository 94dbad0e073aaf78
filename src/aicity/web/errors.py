"""One error envelope for every failure: ``{"ok": false, "error": ..., "status": ..., "errors": [...]}``.

API clients (``/api/...`` or anything that does not ask for HTML) get the JSON envelope; browsers get an HTML
page carrying the same message and status. Tracebacks never reach the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from aicity.errors import AicityError, ConfigError, InputError, StoreError

log = logging.getLogger("aicity.web")


class ApiError(Exception):
    """An error with an HTTP status and a one-line message saying what was expected and what came in."""

    def __init__(
        self, status: int, message: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


class NotFound(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)


class BadRequest(ApiError):
    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(400, message, errors)


def envelope(
    status: int, message: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error": message, "status": status}
    if errors:
        body["errors"] = errors
    return body


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.headers.get("hx-request"):
        return False  # scripts, including htmx, read the JSON envelope
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, message: str, errors: list[dict[str, Any]] | None = None
) -> Response:
    if _wants_html(request):
        render = getattr(request.app.state, "render_error", None)
        if render is not None:
            return render(request, status, message)
    headers = {"Allow": "GET, HEAD"} if status == 405 else None
    return JSONResponse(envelope(status, message, errors), status_code=status, headers=headers)


def _validation_errors(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for err in exc.errors():
        location = ".".join(str(part) for part in err.get("loc", ()))
        details.append({"where": location, "problem": str(err.get("msg", "invalid"))})
    first = details[0] if details else {"where": "request", "problem": "invalid"}
    message = f"invalid {first['where']}: {first['problem']}"
    if len(details) > 1:
        message += f" (and {len(details) - 1} more)"
    return message, details


_HTTP_MESSAGES = {
    404: "not found: no page or API route at this address (see /api/v1/ for the routes)",
    405: "method not allowed: the explorer is read-only and answers GET and HEAD only",
}


def install_error_handlers(app: FastAPI) -> None:
    """Route every known error through the one envelope; `security.SecurityMiddleware` catches the rest."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.message, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        message, details = _validation_errors(exc)
        return error_response(request, 422, message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        default = _HTTP_MESSAGES.get(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) else None
        generic = detail in (None, "Not Found", "Method Not Allowed")
        message = default if (generic and default) else (detail or f"HTTP {exc.status_code}")
        return error_response(request, exc.status_code, message)

    @app.exception_handler(InputError)
    @app.exception_handler(ConfigError)
    async def _input(request: Request, exc: AicityError) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        return error_response(request, 503, f"store unavailable: {exc}")
