"""Assets served from installed packages, never from a CDN: plotly.js from the plotly wheel, the CJK font
from pylopdf-fonts-zh-cn. Both are immutable for a given install, so browsers may cache them for a day."""

from __future__ import annotations

import functools
import importlib.resources as resources
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse

from aicity.web.errors import NotFound

router = APIRouter(include_in_schema=False)

CACHE = {"Cache-Control": "public, max-age=86400"}


@functools.cache
def plotly_js_path() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@functools.cache
def font_path() -> Path:
    return Path(str(resources.files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf"))


@router.get("/assets/plotly.min.js")
def plotly_js() -> FileResponse:
    path = plotly_js_path()
    if not path.exists():
        raise NotFound(f"plotly.min.js not found in the installed plotly package at {path}")
    return FileResponse(path, media_type="text/javascript", headers=CACHE)


@router.get("/assets/NotoSansSC-Regular.otf")
def cjk_font() -> FileResponse:
    path = font_path()
    if not path.exists():
        raise NotFound(f"the CJK font is missing from pylopdf-fonts-zh-cn at {path}")
    return FileResponse(path, media_type="font/otf", headers=CACHE)
