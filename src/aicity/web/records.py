"""Values the pages and the API hand out: frame rows as JSON-safe dicts, rounded numbers, figure JSON that
is safe inside a ``<script>`` block."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts with JSON-safe values (NaN/NA become None, numpy scalars become Python)."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                clean[key] = None
            elif hasattr(value, "item"):
                clean[key] = value.item()
            elif isinstance(value, pd.Timestamp):
                clean[key] = value.isoformat()
            else:
                clean[key] = value
        out.append(clean)
    return out


def plain(row: dict[str, Any]) -> dict[str, Any]:
    """A dataclass row with JSON-safe values."""
    return records(pd.DataFrame([row]))[0]


def text(series: pd.Series) -> pd.Series:
    """A column as strings, missing values as ""."""
    return series.astype("string").fillna("")


def number(value: Any) -> float | None:
    """A float rounded to 4 places; None for anything that is not a number or is NaN."""
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(found) else round(found, 4)


def whole(value: Any) -> int | None:
    """An int (a rank); None for anything that is not a number or is NaN."""
    found = number(value)
    return None if found is None else int(found)


def figure_json(fig: Any) -> str:
    """A plotly figure as JSON for a ``<script type="application/json">`` block."""
    return script_json(fig.to_json())


def script_json(raw: str) -> str:
    """JSON safe inside <script type="application/json">: no "<" can close the block or open a comment."""
    return raw.replace("<", "\\u003c")
