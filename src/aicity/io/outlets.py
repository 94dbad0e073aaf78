"""Source reliability by outlet type, graded from the outlet behind a URL (``aicity/data/outlets.csv``, one
row per outlet with the reason for its grade), not from the domain suffix.

Types: ``official_site`` (the publishing body's own site), ``official_repost`` (an official or state outlet
re-publishing another body's text), ``news`` (an outlet with an editorial desk), ``aggregator`` (collects
others' content), ``content_farm`` (a site that carries copied text unrelated to its domain), ``unknown``.
A host matches the longest registered host it ends with (whole labels); an unregistered host is
``unknown``, except a bare IP address or a host with a port, which no outlet stands behind.
"""

from __future__ import annotations

import csv
import functools
import ipaddress
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

OUTLET_TYPES = ("official_site", "official_repost", "news", "aggregator", "content_farm", "unknown")
OUTLET_NAMES = {
    "official_site": ("官方网站", "official site"),
    "official_repost": ("官方转载", "official repost"),
    "news": ("新闻媒体", "news outlet"),
    "aggregator": ("聚合平台", "aggregator"),
    "content_farm": ("内容农场", "content farm"),
    "unknown": ("未知来源", "unknown outlet"),
}


@dataclass(frozen=True)
class Outlet:
    host: str
    outlet_type: str
    name: str
    reason: str

    def label(self, lang: str) -> str:
        return OUTLET_NAMES[self.outlet_type][0 if lang == "zh" else 1]


@functools.cache
def _registry() -> dict[str, tuple[str, str, str]]:
    text = resources.files("aicity.data").joinpath("outlets.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        r["host"].strip().lower(): (
            r["outlet_type"].strip(),
            r["outlet_name"].strip(),
            r["reason"].strip(),
        )
        for r in rows
        if r.get("host")
    }


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def grade(url: str | None) -> Outlet:
    """The outlet behind ``url`` and its type."""
    if not url or not str(url).strip():
        return Outlet("", "unknown", "", "no URL")
    parts = urlsplit(str(url).strip())
    host = (parts.hostname or "").lower()
    registry = _registry()
    labels = host.split(".")
    for i in range(len(labels)):
        candidate = ".".join(labels[i:])
        if candidate in registry:
            kind, name, reason = registry[candidate]
            return Outlet(candidate, kind, name, reason)
    if _is_ip(host):
        return Outlet(host, "content_farm", "", "a bare IP address: no outlet stands behind it")
    if parts.port is not None:
        return Outlet(
            host, "content_farm", "", "a host on a non-standard port: no outlet stands behind it"
        )
    return Outlet(
        host, "unknown", "", "outlet not in the project's register (aicity/data/outlets.csv)"
    )
