"""The three layers of an AI industry map, named once: the code each table stores and its Chinese and
English names. Every module that names a layer reads them from here."""

from __future__ import annotations

LAYERS: tuple[str, ...] = ("foundation", "technology", "application")
LAYER_NAMES_ZH: dict[str, str] = {
    "foundation": "基础层",
    "technology": "技术层",
    "application": "应用层",
}
LAYER_NAMES_EN: dict[str, str] = {
    "foundation": "Foundation layer",
    "technology": "Technology layer",
    "application": "Application layer",
}
