"""Number and label formatting shared by the report's sections: values in their units, scores, ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.profiles.evidence import flag_label
from aicity.report.messages import say

SCHEME_NAMES = {
    "zh": {"entropy": "熵权法", "ahp": "AHP权重", "geometric": "几何平均"},
    "en": {"entropy": "Entropy weights", "ahp": "AHP weights", "geometric": "Geometric mean"},
}


def fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or pd.isna(value):
        return "–"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value.is_integer() and abs(value) >= 1 and digits <= 1:
        return f"{value:,.0f}" if abs(value) >= 10000 else f"{value:.0f}"
    return f"{value:,.{digits}f}"


def fmt_value(value, unit: str | None, lang: str) -> str:
    """A raw indicator value in its unit: designations as yes/no, shares as percentages."""
    if value is None or pd.isna(value):
        return "–"
    unit = unit or ""
    if unit == "flag":
        yes = float(value) >= 0.5
        return say("flag_yes" if yes else "flag_no", lang)
    if unit == "share":
        return f"{float(value):.0%}"
    number = float(value)
    shown = fmt(number, 0 if number.is_integer() else 2)
    if lang == "zh":
        unit = UNIT_LABELS_ZH.get(unit, unit)
        if unit[:1] > "\u2e80":  # a Chinese unit follows the number directly: 1,234亿元, 34所
            return f"{shown}{unit}"
    return f"{shown} {unit}".strip()


# How the framework's English scope units read in a Chinese sentence. Display only: the unit itself stays the
# scope key that decides which observations are comparable.
UNIT_LABELS_ZH = {
    "universities": "所",
    "institutions": "所",
    "% of GDP": "％（占GDP）",
    "labs": "个",
    "models": "个",
    "firms": "家",
    "A-share listed firms": "家A股上市公司",
}


def text_or_blank(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def fmt_score(value) -> str:
    """Scores always with one decimal, so a column reads evenly (100.0, 58.1, 0.0)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.1f}"


def fmt_rank(value) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))


def scheme_label(scheme: str, lang: str) -> str:
    return SCHEME_NAMES[lang if lang in SCHEME_NAMES else "en"].get(scheme, scheme)


def flags_label(flags: str, lang: str) -> str:
    return flag_label(flags, lang)


def recipe_summary(recipe_yaml: str) -> dict:
    import yaml

    try:
        doc = yaml.safe_load(recipe_yaml) or {}
    except yaml.YAMLError:
        return {}
    steps = doc.get("steps", doc) if isinstance(doc, dict) else doc
    out: dict[str, dict] = {}
    if isinstance(steps, list):
        for step in steps:
            if isinstance(step, dict):
                if "step" in step:
                    out[str(step["step"])] = {k: v for k, v in step.items() if k != "step"}
                else:
                    for name, params in step.items():
                        out[str(name)] = params if isinstance(params, dict) else {}
            elif isinstance(step, (list, tuple)) and len(step) == 2:
                out[str(step[0])] = step[1] or {}
    elif isinstance(steps, dict):
        out = {k: (v if isinstance(v, dict) else {}) for k, v in steps.items()}
    return out
