"""The learned classifier's inputs: the text it reads and the rules' score of every segment.

:func:`firm_text` joins a firm's text columns; :class:`RuleFeatures` turns the taxonomy keywords found
in the name (weight ``name_weight``) and the business scope (weight 1) into one feature per segment;
:func:`normalised_fields` normalises names and scopes once for both (n-grams and rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from aicity.inventory.ngrams import normalise_many
from aicity.inventory.rules import RulesClassifier, _hits, keyword_pattern
from aicity.inventory.rules_vectorised import _distinct, evidence_text
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

    def hits(self, X: pd.DataFrame) -> KeywordHits:
        return self.hits_normalised(*normalised_fields(X))

    def hits_normalised(self, names: list[str], descs: list[str]) -> KeywordHits:
        """:meth:`hits` of names and scopes already through :func:`normalise`."""
        if len(names) < 2_000:  # Python's re: no start-up cost
            pattern, _ = self._rules()._compiled()
            found = pa.table(
                {
                    "name": [sorted(_hits(pattern, n)) for n in names],
                    "scope": [sorted(_hits(pattern, d)) for d in descs],
                },
                schema=_HIT_SCHEMA,
            )
        else:
            # many firms: the same scan in DuckDB (RE2 on all cores; the rules classifier relies on
            # the two giving the same matches, and a test compares them)
            from aicity.store.inventory import keyword_matches

            found = keyword_matches(names, descs, keyword_pattern(self._rules().taxonomy_))
        return KeywordHits.of(found.column(0), found.column(1))

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        return self.from_hits(self.hits(X))

    def from_hits(self, hits: KeywordHits) -> sp.csr_matrix:
        """The features of :meth:`hits` (so one scan serves features, fallback and explanation)."""
        return sp.csr_matrix(self.scores(hits), dtype=float).log1p()

    def scores(self, hits: KeywordHits) -> np.ndarray:
        """Firms x ``codes_``: per segment, ``name_weight`` per distinct name keyword of it, 1 per
        distinct scope keyword (a keyword listed twice under a segment counts twice)."""
        rules = self._rules()
        col = {c: i for i, c in enumerate(self.codes_)}
        segments_of = rules._compiled()[1]
        # per found word, the columns it scores (repeated as often as the taxonomy lists it)
        cols = [[col[c] for c, _, _ in segments_of.get(w, ()) if c in col] for w in hits.words]
        counts = np.array([len(c) for c in cols], dtype=np.int64)
        flat = np.array([j for c in cols for j in c], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)])[:-1]
        per_hit = counts[hits.word]
        within = np.arange(int(per_hit.sum())) - np.repeat(np.cumsum(per_hit) - per_hit, per_hit)
        cell_col = flat[np.repeat(starts[hits.word], per_hit) + within]
        cell_row = np.repeat(hits.row, per_hit)
        weight = np.where(np.repeat(hits.field, per_hit) == 0, rules.name_weight, 1.0)
        k = len(self.codes_)
        cell = cell_row * k + cell_col
        return np.bincount(cell, weights=weight, minlength=hits.n * k).reshape(hits.n, k)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_cached", None)
        return state


def normalised_fields(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(names, scopes) through :func:`normalise`, each distinct value once; missing -> empty."""
    names = normalise_many(X["name"].tolist()) if "name" in X else [""] * len(X)
    descs = normalise_many(X["description"].tolist()) if "description" in X else [""] * len(X)
    return names, descs


_HIT_SCHEMA = pa.schema([("name", pa.list_(pa.string())), ("scope", pa.list_(pa.string()))])


@dataclass(frozen=True)
class KeywordHits:
    """The distinct keywords found in each firm's name (field 0) and scope (field 1), case-folded,
    one entry per (row, field, word), ordered by row, field and word; ``words`` sorted."""

    n: int
    row: np.ndarray
    field: np.ndarray
    word: np.ndarray  # index into ``words``
    words: list[str]

    @classmethod
    def of(cls, name_hits: pa.ChunkedArray, scope_hits: pa.ChunkedArray) -> KeywordHits:
        """From two list<string> columns of the matches (any case, repeats allowed)."""
        rows, values, fields = [], [], []
        for f, lists in enumerate((name_hits, scope_hits)):
            lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
            rows.append(pc.list_parent_indices(lists).to_numpy().astype(np.int64))
            values.append(lists.flatten().cast(pa.string()))
            fields.append(np.full(len(rows[-1]), f, np.int64))
        flat = pa.concat_arrays(values)
        distinct = pc.unique(flat)
        folded = [v.lower() for v in distinct.to_pylist()]  # Python's lower, as the scan's users do
        words = sorted(set(folded))
        rank = {w: i for i, w in enumerate(words)}
        word_of = np.array([rank[v] for v in folded], dtype=np.int64)
        word = word_of[pc.index_in(flat, value_set=distinct).to_numpy(zero_copy_only=False)]
        n_words = max(len(words), 1)
        key = _distinct((np.concatenate(rows) * 2 + np.concatenate(fields)) * n_words + word)
        rest = key // n_words
        return cls(len(name_hits), rest // 2, rest % 2, key % n_words, words)

    def explanations(self) -> list[str]:
        """Per firm 'name: a, b; scope: c' (the keywords sorted), '' where none was found."""
        words = pa.array(self.words, pa.string()).take(self.word)
        text = evidence_text(words, self.field, self.row, self.n)
        return pc.coalesce(text, "").to_pylist()
