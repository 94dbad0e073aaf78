"""The explorer: a FastAPI app with server-rendered pages and a read-only JSON API over the store."""

from aicity.web.app import create_app
from aicity.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
