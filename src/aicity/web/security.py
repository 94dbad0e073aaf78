"""Security headers, the URL-length limit and the last-resort 500 envelope, as one plain ASGI middleware.

A plain ASGI class (not Starlette's BaseHTTPMiddleware) because it sits on every request of the re-weighting
benchmark and costs only a header append. It wraps the routes so that even an unexpected error answers with
the envelope and the same headers.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("aicity.web")

# The SHA-256 of the empty string: plotly.js writes style="" on colour-bar rectangles. Allowing exactly this
# hash lets an empty style attribute through and nothing else (no inline style with any content).
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"

# Only the app's own origin: no CDN, no inline script, no eval, no inline style, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    f"style-src 'self' 'unsafe-hashes' {EMPTY_STYLE_HASH}; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, max_url_length: int, error_response: Any) -> None:
        self.app = app
        self.max_url_length = max_url_length
        self.error_response = error_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        url_length = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if url_length > self.max_url_length:
            response = self.error_response(
                Request(scope),
                414,
                f"URL too long: at most {self.max_url_length} characters expected, got {url_length}",
            )
            await response(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            log.exception("unexpected error on %s", scope.get("path"))
            if started:
                raise
            response = self.error_response(
                Request(scope),
                500,
                f"internal error ({type(exc).__name__}); the server log has details",
            )
            await response(scope, receive, send_with_headers)
