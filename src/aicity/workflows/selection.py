"""Which observations a cell may take: the scope an indicator accepts, which observations are real, and
the one year each indicator takes its values from. Used by the evaluation and the yearly series."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Qualifiers in a scope text that mean "part of the unit only" or "not a full-year actual": never comparable.
PARTIAL_SCOPE = re.compile(
    r"\bonly\b|\bQ[1-4]\b|\bH[12]\b|target|planned|expected|district|sample|park|Q1-Q3",
    re.IGNORECASE,
)


def scope_base(unit_text: object) -> str:
    """The scope without its qualifier: ``"firms (lower bound; stated as 超2.4万)"`` -> ``"firms"``."""
    text = (
        ""
        if unit_text is None or (isinstance(unit_text, float) and np.isnan(unit_text))
        else str(unit_text)
    )
    return text.split(" (", 1)[0].strip()


def scope_matches(unit_text: object, wanted: str, accepted: list[str] | None = None) -> bool:
    text = (
        ""
        if unit_text is None or (isinstance(unit_text, float) and np.isnan(unit_text))
        else str(unit_text)
    )
    if accepted:
        return text in accepted
    qualifier = text[len(scope_base(text)) :]
    return scope_base(text) == wanted and not PARTIAL_SCOPE.search(qualifier)


def is_real(frame: pd.DataFrame) -> pd.Series:
    """Sourced (a URL), verified, actual (not an estimate) observations: the only ones that are scored."""
    url = frame["source_url"].fillna("").astype(str).str.strip() != ""
    return url & frame["verified"].fillna(False).astype(bool) & (frame["kind"] == "actual")


def indicator_year(in_scope: pd.DataFrame, year: int, max_age: int) -> int | None:
    """One year per indicator: of the real observations in the window, the year that covers the most units
    (ties go to the later year); None when there is no real observation."""
    years = in_scope["year"]
    window = in_scope[(years <= year) & (years >= year - max_age)]
    window = window[is_real(window)]
    if window.empty:
        return None
    counts = window.groupby("year")["unit_key"].nunique()
    best = counts[counts == counts.max()].index.max()
    return int(best)
