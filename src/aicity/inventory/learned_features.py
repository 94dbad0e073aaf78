"""The learned classifier's inputs: the text it reads and the rules' score of every segment.

:func:`firm_text` joins a firm's text columns; :class:`RuleFeatures` turns the taxonomy keywords found
in the name (weight ``name_weight``) and the business scope (weight 1) into one feature per segment;
:func:`normalised_fields` normalises names and scopes once for both (n-grams and rules).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from aicity.inventory.ngrams import normalise_many
from aicity.inventory.rules import RulesClassifier, _hits, keyword_pattern
from aicity.inventory.taxonomy import _from_entries, load_taxonomy


def firm_text(frame: pd.DataFrame, columns: tuple[str, ...] = ("name", "description")) -> list[str]:
    """The text a classifier reads: the given columns joined with spaces (missing -> empty)."""
    parts = [
        frame[c].fillna("").astype(str) if c in frame else pd.Series("", index=frame.index)
        for c in columns
    ]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + " " + p
    return joined.str.strip().tolist()


class RuleFeatures(BaseEstimator, TransformerMixin):
    """The rules' score per segment (keywords in the name count ``name_weight``, in the scope 1), as
    ``log1p(score)``; input: a frame with ``name`` and ``description``."""

    def __init__(self, taxonomy_records: list[dict[str, str]] | None = None) -> None:
        self.taxonomy_records = taxonomy_records

    def _rules(self) -> RulesClassifier:
        if getattr(self, "_cached", None) is None:
            tax = (
                _from_entries(self.taxonomy_records, source="model taxonomy")
                if self.taxonomy_records
                else load_taxonomy()
            )
            self._cached = RulesClassifier(tax)
        return self._cached

    def fit(self, X: pd.DataFrame, y: object = None) -> RuleFeatures:
        self.codes_ = self._rules().taxonomy_.codes
        return self

    def hits(self, X: pd.DataFrame) -> list[dict[str, set[str]]]:
        return self.hits_normalised(*normalised_fields(X))

    def hits_normalised(self, names: list[str], descs: list[str]) -> list[dict[str, set[str]]]:
        """:meth:`hits` of names and scopes already through :func:`normalise`."""
        if len(names) < 2_000:  # Python's re: no start-up cost
            pattern, _ = self._rules()._compiled()
            return [
                {"name": _hits(pattern, n), "scope": _hits(pattern, d)}
                for n, d in zip(names, descs, strict=True)
            ]
        # many firms: the same scan in DuckDB (RE2 on all cores; the rules classifier relies on the two
        # giving the same matches, and a test compares them)
        from aicity.store.inventory import keyword_matches

        rows = keyword_matches(names, descs, keyword_pattern(self._rules().taxonomy_))
        return [{"name": {m.lower() for m in a}, "scope": {m.lower() for m in b}} for a, b in rows]

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        return self.from_hits(self.hits(X))

    def from_hits(self, hits: list[dict[str, set[str]]]) -> sp.csr_matrix:
        """The features of :meth:`hits` (so one scan serves features, fallback and explanation)."""
        rules = self._rules()
        if getattr(self, "_segments_of", None) is None:
            self._segments_of = rules._compiled()[1]
        segments_of = self._segments_of
        col = {c: i for i, c in enumerate(self.codes_)}
        rows, cols, vals = [], [], []
        for i, hit in enumerate(hits):
            if not hit["name"] and not hit["scope"]:
                continue
            score: dict[int, float] = defaultdict(float)
            for fld, weight in (("name", rules.name_weight), ("scope", 1.0)):
                for kw in hit[fld]:
                    for code, _, _ in segments_of[kw]:
                        if code in col:
                            score[col[code]] += weight
            for j, v in score.items():
                rows.append(i)
                cols.append(j)
                vals.append(v)
        raw = sp.csr_matrix((vals, (rows, cols)), shape=(len(hits), len(self.codes_)))
        raw.data = np.log1p(raw.data)
        return raw

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_cached", None)
        state.pop("_segments_of", None)
        return state


def normalised_fields(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(names, scopes) through :func:`normalise`, each distinct value once; missing -> empty."""
    names = normalise_many(X["name"].tolist()) if "name" in X else [""] * len(X)
    descs = normalise_many(X["description"].tolist()) if "description" in X else [""] * len(X)
    return names, descs
