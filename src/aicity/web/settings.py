"""Settings of the explorer: where it listens, its default language, and the limits on every input."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aicity.languages import Language
from aicity.paths import DEFAULT_HOST, DEFAULT_PORT


class WebSettings(BaseModel):
    """Everything the app factory needs besides the store. Frozen: the app never changes them at run time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = DEFAULT_HOST
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    default_language: Language = "zh"
    title_zh: str = "中国人工智能城市与园区浏览器"
    title_en: str = "China AI cities and parks explorer"
    # Input limits: every request parameter is bounded so no request can make the server do unbounded work.
    max_page_size: int = Field(default=500, ge=1, le=500)
    default_page_size: int = Field(default=50, ge=1, le=500)
    max_query_length: int = Field(default=100, ge=1, le=1000)
    max_url_length: int = Field(default=4096, ge=256, le=65536)
    max_weights: int = Field(default=64, ge=1, le=256)
    max_weight: float = Field(default=100.0, gt=0, le=1e6)
    max_compare: int = Field(default=4, ge=2, le=10)
    # Build every method combination and every static figure at start-up, so no request waits (tests that
    # do not need it switch it off to stay fast).
    warm_up: bool = True
    # Downloads are built on request from the store; the report PDF is read from here when present.
    report_dir: str | None = None
