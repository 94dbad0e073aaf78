"""The rules classifier vectorised: keyword hits in Arrow batches scored with numpy.

Same rules and same answers as :class:`aicity.inventory.rules.RulesClassifier` (a test compares the
two), for many firms at once. The keyword matching itself happens elsewhere (RE2 inside DuckDB, see
:func:`aicity.store.classifications.keyword_hit_batches`); a batch holds, per firm, ``enterprise_id``,
``given_layer`` (the layer label given in the input, or null), ``name_hits`` and ``scope_hits`` (the
matched keywords, as written). Scoring builds a dense firms x segments matrix, so there is no hash
aggregation of per-firm lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aicity.inventory.rules import METHOD, NAME_WEIGHT, RESULT_COLUMNS
from aicity.inventory.taxonomy import Taxonomy

# the columns of a keyword-hit batch
HIT_COLUMNS = ("enterprise_id", "given_layer", "name_hits", "scope_hits")
_NAME, _SCOPE = 0, 1  # the fields a keyword is found in


@dataclass(frozen=True)
class Evidence:
    """One row per (firm, field, keyword, segment of the keyword), layer labels applied."""

    row: np.ndarray  # the firm's row in the batch
    field: np.ndarray  # 0 name, 1 business scope
    kid: np.ndarray  # the keyword's rank in ``VectorisedRules.keywords``
    pos: np.ndarray  # the segment's position in the taxonomy


class VectorisedRules:
    """The taxonomy keywords as arrays for vectorised scoring (same rules as ``RulesClassifier``).

    ``keywords``: one row per (keyword, segment): keyword (case-folded), segment, layer, pos (the
    segment's position in the taxonomy), as :meth:`Taxonomy.keyword_rows` gives them.
    """

    def __init__(self, keywords: pd.DataFrame, name_weight: float = NAME_WEIGHT) -> None:
        kw = keywords.assign(pos=keywords["pos"].astype(int))
        segs = kw.drop_duplicates("pos").sort_values("pos")
        n_seg = int(segs["pos"].max()) + 1 if len(segs) else 0
        codes: list[str | None] = [None] * n_seg
        layers: list[str | None] = [None] * n_seg
        for r in segs.itertuples():
            codes[r.pos], layers[r.pos] = r.segment, r.layer
        self.n_seg = n_seg
        self.codes = pa.array(codes, pa.string())
        self.layers = pa.array(layers, pa.string())
        self.layer_names = pa.array(sorted({x for x in layers if x is not None}), pa.string())
        self.seg_layer_id = pc.index_in(self.layers, value_set=self.layer_names).to_numpy(
            zero_copy_only=False
        )
        # keywords sorted by code point (the order list_sort / sorted() give); rank = index
        distinct = sorted(kw["keyword"].unique())
        self.keywords = pa.array(distinct, pa.string())
        kid = kw["keyword"].map({k: i for i, k in enumerate(distinct)}).to_numpy()
        order = np.argsort(kid, kind="stable")  # a keyword under two segments counts for both
        self.kw_pos = kw["pos"].to_numpy()[order].astype(np.int64)
        self.kw_ptr = np.concatenate([[0], np.cumsum(np.bincount(kid, minlength=len(distinct)))])
        self.name_weight = float(name_weight)

    @classmethod
    def from_taxonomy(cls, taxonomy: Taxonomy, name_weight: float = NAME_WEIGHT) -> VectorisedRules:
        rows = pd.DataFrame(taxonomy.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
        return cls(rows, name_weight)

    def _hits(self, lists: pa.ListArray, field: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = pc.utf8_lower(lists.flatten().cast(pa.string()))
        rows = pc.list_parent_indices(lists).to_numpy()
        kid = pc.index_in(values, value_set=self.keywords)
        known = kid.is_valid().to_numpy(zero_copy_only=False)
        kid_np = kid.to_numpy(zero_copy_only=False)
        return (
            rows[known].astype(np.int64),
            kid_np[known].astype(np.int64),
            np.full(int(known.sum()), field, np.int64),
        )

    def evidence(self, batch: pa.RecordBatch) -> Evidence:
        """The distinct keywords of each firm and field, spread over their segments; a layer label
        restricts them to that layer's segments."""
        n_kw = len(self.keywords)
        r1, k1, f1 = self._hits(batch.column("name_hits"), _NAME)
        r2, k2, f2 = self._hits(batch.column("scope_hits"), _SCOPE)
        key = _distinct(
            (np.concatenate([r1, r2]) * 2 + np.concatenate([f1, f2])) * n_kw
            + np.concatenate([k1, k2])
        )
        kid, rest = key % n_kw, key // n_kw
        field, row = rest % 2, rest // 2
        counts = self.kw_ptr[kid + 1] - self.kw_ptr[kid]
        starts = np.repeat(self.kw_ptr[kid], counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        pos = self.kw_pos[starts + within]
        row, field, kid = np.repeat(row, counts), np.repeat(field, counts), np.repeat(kid, counts)
        given = self._given_layer_ids(batch)
        keep = (given[row] < 0) | (given[row] == self.seg_layer_id[pos])
        return Evidence(row[keep], field[keep], kid[keep], pos[keep])

    def _given_layer_ids(self, batch: pa.RecordBatch) -> np.ndarray:
        """Each firm's layer label as an index into ``layer_names``; -1 for none or an unknown one."""
        given_layers = batch.column("given_layer").cast(pa.string())
        given = pc.index_in(given_layers, value_set=self.layer_names)
        return given.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)

    def segment_scores(
        self, batch: pa.RecordBatch, evidence: Evidence | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, present): firms x segments; a name keyword counts ``name_weight``, a scope one 1;
        ``present`` marks the segments with any evidence (a score of 0 can still be evidence)."""
        ev = self.evidence(batch) if evidence is None else evidence
        n, n_seg = batch.num_rows, self.n_seg
        weight = np.where(ev.field == _NAME, self.name_weight, 1.0)
        cell = ev.row * n_seg + ev.pos
        scores = np.bincount(cell, weights=weight, minlength=n * n_seg).reshape(n, n_seg)
        present = np.bincount(cell, minlength=n * n_seg).reshape(n, n_seg) > 0
        return scores, present

    def score(self, batch: pa.RecordBatch, run_id: int) -> pa.Table:
        """The batch's classification rows: run_id and the rules' result columns."""
        n = batch.num_rows
        ev = self.evidence(batch)
        scores, present = self.segment_scores(batch, ev)
        # primary: highest score, ties to the segment listed first (argmax takes the first)
        top = np.where(present, scores, -np.inf).argmax(axis=1)
        found = np.asarray(present.any(axis=1), dtype=bool)
        top_score = np.where(found, scores[np.arange(n), top], 0.0)
        total = scores.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            conf = (top_score / total) * (top_score / (top_score + 1.0))
        conf = np.where(found & (top_score > 0) & (total > 0), conf, 0.0)
        top_idx = pa.array(np.where(found, top, -1)).cast(pa.int64())
        top_idx = pc.if_else(pa.array(found), top_idx, None)
        given_layers = batch.column("given_layer").cast(pa.string())
        columns = {
            "run_id": pa.array(np.full(n, run_id, np.int64)),
            "enterprise_id": batch.column("enterprise_id"),
            "segment": self.codes.take(top_idx),
            "layer": pc.coalesce(self.layers.take(top_idx), given_layers),
            "secondary": self._secondary(scores, present, top),
            "confidence": pa.array(conf, pa.float64()),
            "score": pa.array(top_score, pa.float64()),
            "explanation": self._explanation(ev, found, top, n),
            "method": pa.array([METHOD] * n, pa.string()) if n else pa.array([], pa.string()),
        }
        return pa.table({k: columns[k] for k in ("run_id", *RESULT_COLUMNS)})

    def _secondary(self, scores: np.ndarray, present: np.ndarray, top: np.ndarray) -> pa.Array:
        """The other segments with evidence, strongest first, ties by position, joined by ';'."""
        n = len(scores)
        srow, spos = np.nonzero(present & (np.arange(self.n_seg)[None, :] != top[:, None]))
        sscore = scores[srow, spos]
        order = np.lexsort((spos, -sscore, srow))
        return pc.binary_join(_lists(self.codes.take(spos[order]), srow[order], n), ";")

    def _explanation(self, ev: Evidence, found: np.ndarray, top: np.ndarray, n: int) -> pa.Array:
        """The keywords behind the primary segment, per field, distinct and sorted."""
        n_kw = len(self.keywords)
        on_top = found[ev.row] & (ev.pos == top[ev.row])
        ek = _distinct((ev.row[on_top] * 2 + ev.field[on_top]) * n_kw + ev.kid[on_top])
        e_kid, e_rest = ek % n_kw, ek // n_kw
        e_field, e_row = e_rest % 2, e_rest // 2
        explanation = evidence_text(self.keywords.take(e_kid), e_field, e_row, n)
        return pc.if_else(pa.array(found), explanation, "no taxonomy keyword matched")


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort and a neighbour test: faster than np.unique's hashing here)."""
    keys = np.sort(keys)
    if len(keys) == 0:
        return keys
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])]


def evidence_text(words: pa.Array, field: np.ndarray, row: np.ndarray, n: int) -> pa.Array:
    """Per firm 'name: a, b; scope: c' from its keyword hits (``words[i]`` found in ``field[i]`` of
    firm ``row[i]``, rows sorted), null where none was found."""
    parts = []
    for f, label in ((_NAME, "name: "), (_SCOPE, "scope: ")):
        sel = field == f
        joined = pc.binary_join(_lists(words.filter(pa.array(sel)), row[sel], n), ", ")
        has = pc.greater(pc.utf8_length(joined), 0)
        parts.append(pc.if_else(has, pc.binary_join_element_wise(label, joined, ""), None))
    name_part, scope_part = parts
    both = pc.and_(pc.is_valid(name_part), pc.is_valid(scope_part))
    return pc.if_else(
        both,
        pc.binary_join_element_wise(name_part, scope_part, "; "),
        pc.coalesce(name_part, scope_part),
    )


def _lists(values: pa.Array, rows: np.ndarray, n: int) -> pa.ListArray:
    """Group ``values`` (already ordered by ``rows``) into one list per firm, empty where none."""
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)
