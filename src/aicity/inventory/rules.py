"""Rules classifier: taxonomy keywords matched in a firm's name and business scope (经营范围).

Matching is a forward maximum-matching scan (正向最大匹配) with the taxonomy keywords as the dictionary:
one regular expression, keywords longest first, case-folded, leftmost non-overlapping matches. The
same pattern runs in Python (``re.findall``) and inside DuckDB (``regexp_extract_all``, RE2), so a
firm gets exactly the same answer whether 77 firms are classified here or 10 million in the database
(see :mod:`aicity.inventory.rules_vectorised`).

Scoring, per segment: every distinct keyword found in the name counts ``name_weight`` (2), every distinct
keyword found in the business scope counts 1. The primary segment has the highest score (ties go to
the segment listed first in the taxonomy); every other segment with a score is a secondary tag.
Confidence = (top / total) x (top / (top + 1)): high when one segment dominates *and* the evidence is
more than a single keyword. A firm with a layer label but no segment label is classified within that
layer only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pandas as pd

from aicity.inventory.taxonomy import Taxonomy, load_taxonomy
from aicity.layers import CLASSIFICATION_COLUMNS

NAME_WEIGHT = 2.0
METHOD = "rules"
RESULT_COLUMNS = CLASSIFICATION_COLUMNS  # the stored classification row

_REGEX_META = re.compile(r"([.^$*+?{}\[\]\\|()])")


def escape_keyword(keyword: str) -> str:
    """Escape regex metacharacters in a way both Python ``re`` and RE2 read identically."""
    return _REGEX_META.sub(r"\\\1", keyword)


def keyword_pattern(taxonomy: Taxonomy) -> str:
    """One alternation of all keywords, longest first so the scan takes the longest match."""
    keywords = sorted({kw for kw, *_ in taxonomy.keyword_rows()}, key=lambda k: (-len(k), k))
    return "|".join(escape_keyword(k) for k in keywords)


def confidence_of(top: float, total: float) -> float:
    if top <= 0 or total <= 0:
        return 0.0
    return (top / total) * (top / (top + 1.0))


def explanation_of(name_hits: list[str], scope_hits: list[str]) -> str:
    """'name: a, b; scope: c' listing the keywords behind the primary segment (sorted)."""
    parts = []
    if name_hits:
        parts.append("name: " + ", ".join(sorted(name_hits)))
    if scope_hits:
        parts.append("scope: " + ", ".join(sorted(scope_hits)))
    return "; ".join(parts)


def _hits(pattern: re.Pattern[str], text: object) -> set[str]:
    """Distinct keywords found (case-insensitive scan; matches case-folded like the keywords)."""
    if not isinstance(text, str) or not text:
        return set()
    return {m.lower() for m in pattern.findall(text)}


class RulesClassifier:
    """Keyword rules over name and business scope. No training; the taxonomy is the model."""

    def __init__(self, taxonomy: Taxonomy | None = None, name_weight: float = NAME_WEIGHT) -> None:
        self.taxonomy = taxonomy
        self.name_weight = name_weight

    @property
    def taxonomy_(self) -> Taxonomy:
        if self.taxonomy is None:
            self.taxonomy = load_taxonomy()
        return self.taxonomy

    def _compiled(self) -> tuple[re.Pattern[str], dict[str, list[tuple[str, str, int]]]]:
        tax = self.taxonomy_
        segments_of: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for kw, code, layer, pos in tax.keyword_rows():
            segments_of[kw].append((code, layer, pos))
        return re.compile(keyword_pattern(tax), re.IGNORECASE), segments_of

    def match(self, name: str | None, description: str | None) -> dict[str, set[str]]:
        """Distinct keywords found per field: {'name': {...}, 'scope': {...}}."""
        pattern, _ = self._compiled()
        return {"name": _hits(pattern, name), "scope": _hits(pattern, description)}

    def classify(self, firms: pd.DataFrame) -> pd.DataFrame:
        """Classify every row of ``firms`` (columns enterprise_id, name, description; optional layer).

        A non-empty ``layer`` restricts the choice to that layer's segments (the label wins).
        Rows with no keyword get segment/layer NA (or the given layer), confidence 0 and a reason.
        """
        pattern, segments_of = self._compiled()
        ids = firms["enterprise_id"].astype(str).tolist()
        names = firms["name"].tolist() if "name" in firms else [None] * len(firms)
        descs = firms["description"].tolist() if "description" in firms else [None] * len(firms)
        given_layers = firms["layer"].tolist() if "layer" in firms else [None] * len(firms)
        rows: list[tuple[Any, ...]] = []
        for eid, name, desc, given in zip(ids, names, descs, given_layers, strict=True):
            given = given if isinstance(given, str) and given else None
            hits = {"name": _hits(pattern, name), "scope": _hits(pattern, desc)}
            scores: dict[str, float] = defaultdict(float)
            position: dict[str, int] = {}
            layer_of: dict[str, str] = {}
            for field, weight in (("name", self.name_weight), ("scope", 1.0)):
                for kw in hits[field]:
                    for code, layer, pos in segments_of[kw]:
                        if given and layer != given:
                            continue
                        scores[code] += weight
                        position[code], layer_of[code] = pos, layer
            if not scores:
                rows.append((eid, None, given, "", 0.0, 0.0, "no taxonomy keyword matched", METHOD))
                continue
            ranked = sorted(scores, key=lambda c: (-scores[c], position[c]))
            top_code = ranked[0]
            top, total = scores[top_code], sum(scores.values())
            support = {
                kw
                for kw in hits["name"] | hits["scope"]
                if any(c == top_code for c, _, _ in segments_of[kw])
            }
            rows.append(
                (
                    eid,
                    top_code,
                    layer_of[top_code],
                    ";".join(ranked[1:]),
                    confidence_of(top, total),
                    top,
                    explanation_of(sorted(hits["name"] & support), sorted(hits["scope"] & support)),
                    METHOD,
                )
            )
        out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
        out["confidence"] = out["confidence"].astype("float64")
        out["score"] = out["score"].astype("float64")
        return out
