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
# The reference layer mix of Chinese AI firms: the CNGAIDS sample of 797 firms, end-2019 (domain.md §3).
# Verdicts compare a city's mix with it; the synthetic registry draws its layers from it.
NATIONAL_LAYER_SHARE: dict[str, float] = {
    "foundation": 0.034,
    "technology": 0.238,
    "application": 0.728,
}
# The accepted spellings as messages list them: foundation/technology/application (基础层/技术层/应用层)
LAYER_SPELLINGS = f"{'/'.join(LAYERS)} ({'/'.join(LAYER_NAMES_ZH[code] for code in LAYERS)})"

# a firm's classification as every classifier returns it and the store keeps it (one list for both)
CLASSIFICATION_COLUMNS = [
    "enterprise_id",
    "segment",
    "layer",
    "secondary",
    "confidence",
    "score",
    "explanation",
    "method",
]
