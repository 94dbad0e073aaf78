"""Classifier evaluation against labelled firms: accuracy, precision, recall and F1 per layer and per
segment, and confusion tables.

Labels: a taxonomy segment code, or ``none`` for a firm that is not an AI firm (its layer is ``none``
too). Predictions: a segment (and its layer), ``none`` when the classifier says the firm is not an AI
firm (``outcome == "non_ai"``), ``unclassified`` when it gives no answer. An unclassified firm counts
as wrong: it lowers recall and accuracy, never precision. A firm given a layer but no segment is right
or wrong on its layer and unclassified on its segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from aicity.errors import InputError
from aicity.inventory.taxonomy import LAYERS, Taxonomy

NON_AI = "none"
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Evaluation:
    n: int
    segment_accuracy: float  # over every firm; 'none' is a class
    layer_accuracy: float  # over every firm; 'none' is a class
    coverage: float  # share of firms given an answer (a layer or 'none')
    per_layer: pd.DataFrame  # label, precision, recall, f1, support
    per_segment: pd.DataFrame
    layer_confusion: pd.DataFrame  # rows truth, columns predicted
    segment_confusion: pd.DataFrame
    n_ai: int = 0  # labelled AI firms
    n_non_ai: int = 0  # labelled non-AI firms
    segment_accuracy_ai: float = float("nan")  # over the labelled AI firms only
    non_ai_recall: float = float("nan")  # non-AI firms called non-AI
    non_ai_called_ai: int = 0  # non-AI firms given an AI layer
    layer_accuracy_answered: float = float("nan")  # over the firms given a layer or 'none'
    cv_folds: int | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "n_ai": self.n_ai,
            "n_non_ai": self.n_non_ai,
            "segment_accuracy": self.segment_accuracy,
            "segment_accuracy_ai": self.segment_accuracy_ai,
            "layer_accuracy": self.layer_accuracy,
            "non_ai_recall": self.non_ai_recall,
            "non_ai_called_ai": self.non_ai_called_ai,
            "coverage": self.coverage,
            "layer_accuracy_answered": self.layer_accuracy_answered,
            "segment_macro_f1": float(self.per_segment["f1"].mean())
            if len(self.per_segment)
            else 0.0,
            "layer_macro_f1": float(self.per_layer["f1"].mean()) if len(self.per_layer) else 0.0,
            "cv_folds": self.cv_folds,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready values (for ``--json``)."""

        def table(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {
                    k: (int(v) if k == "support" else (v if isinstance(v, str) else float(v)))
                    for k, v in r.items()
                }
                for r in frame.to_dict("records")
            ]

        def confusion(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
            return {
                str(i): {str(c): int(v) for c, v in row.items() if v} for i, row in frame.iterrows()
            }

        return {
            "summary": self.summary(),
            "per_layer": table(self.per_layer),
            "per_segment": table(self.per_segment),
            "layer_confusion": confusion(self.layer_confusion),
            "segment_confusion": confusion(self.segment_confusion),
        }

    def top_confusions(self, k: int = 10) -> list[tuple[str, str, int]]:
        """The most frequent (truth, predicted) segment mistakes, most frequent first."""
        conf = self.segment_confusion.stack()
        conf = conf[(conf > 0)]
        wrong = [(str(t), str(p), int(n)) for (t, p), n in conf.items() if t != p]
        return sorted(wrong, key=lambda x: (-x[2], x[0], x[1]))[:k]


def _scores(truth: pd.Series, pred: pd.Series, labels: list[str]) -> pd.DataFrame:
    p, r, f, s = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    return pd.DataFrame({"label": labels, "precision": p, "recall": r, "f1": f, "support": s})


def predicted_labels(predicted: pd.DataFrame, taxonomy: Taxonomy) -> tuple[pd.Series, pd.Series]:
    """(segment, layer) per predicted row, with ``none`` for non-AI and ``unclassified`` for no answer;
    a row without a layer takes its segment's."""
    outcome = (
        predicted["outcome"].astype("string")
        if "outcome" in predicted
        else pd.Series(pd.NA, index=predicted.index, dtype="string")
    )
    non_ai = outcome.eq("non_ai").fillna(False).to_numpy()
    segment = predicted["segment"].astype("string")
    from_segment = segment.map(
        lambda c: taxonomy.layer_of(c) if isinstance(c, str) and c in taxonomy else pd.NA
    ).astype("string")
    lay = predicted["layer"].astype("string") if "layer" in predicted else from_segment
    lay = lay.fillna(from_segment).mask(non_ai, NON_AI).fillna(UNCLASSIFIED)
    seg = segment.mask(non_ai, NON_AI).fillna(UNCLASSIFIED)
    return seg.astype(str), lay.astype(str)


def evaluate(
    predicted: pd.DataFrame,
    truth: pd.DataFrame,
    taxonomy: Taxonomy,
    cv_folds: int | None = None,
) -> Evaluation:
    """Compare ``predicted`` (enterprise_id, segment, layer[, outcome]) with ``truth`` (enterprise_id,
    segment: a taxonomy code or ``none``)."""
    if truth.empty:
        raise InputError(
            "no labelled firms to evaluate against (expected rows with a segment label)"
        )
    unknown = sorted(set(truth["segment"].astype(str)) - set(taxonomy.codes) - {NON_AI})
    if unknown:
        raise InputError(
            f"labels {unknown} are not segments of the taxonomy {taxonomy.source} nor 'none'",
            column="segment",
        )
    pred = predicted.copy()
    pred["_seg"], pred["_lay"] = predicted_labels(pred, taxonomy)
    merged = truth[["enterprise_id", "segment"]].merge(
        pred[["enterprise_id", "_seg", "_lay"]], on="enterprise_id", how="left"
    )
    t_seg = merged["segment"].astype(str)
    p_seg = merged["_seg"].fillna(UNCLASSIFIED).astype(str)
    t_lay = t_seg.map(lambda c: NON_AI if c == NON_AI else taxonomy.layer_of(c))
    p_lay = merged["_lay"].fillna(UNCLASSIFIED).astype(str)
    present_seg = set(t_seg) | set(p_seg)
    seg_labels = [c for c in [*taxonomy.codes, NON_AI] if c in present_seg]
    lay_labels = [lay for lay in [*LAYERS, NON_AI] if lay in set(t_lay) | set(p_lay)]
    order = [*LAYERS, NON_AI, UNCLASSIFIED]
    lay_conf = pd.crosstab(t_lay, p_lay, rownames=["truth"], colnames=["predicted"])
    lay_conf = lay_conf.reindex(
        index=[x for x in order if x in lay_conf.index],
        columns=[x for x in order if x in lay_conf.columns or x == UNCLASSIFIED],
        fill_value=0,
    )
    seg_order = [*taxonomy.codes, NON_AI, UNCLASSIFIED]
    seg_conf = pd.crosstab(t_seg, p_seg, rownames=["truth"], colnames=["predicted"])
    seg_conf = seg_conf.reindex(
        index=[x for x in seg_order if x in seg_conf.index],
        columns=[x for x in seg_order if x in seg_conf.columns],
        fill_value=0,
    )
    is_ai = t_seg != NON_AI
    n_non_ai = int((~is_ai).sum())
    answered = p_lay != UNCLASSIFIED
    return Evaluation(
        n=len(merged),
        segment_accuracy=float((t_seg == p_seg).mean()),
        layer_accuracy=float((t_lay == p_lay).mean()),
        coverage=float((p_lay != UNCLASSIFIED).mean()),
        per_layer=_scores(t_lay, p_lay, lay_labels),
        per_segment=_scores(t_seg, p_seg, seg_labels),
        layer_confusion=lay_conf,
        segment_confusion=seg_conf,
        n_ai=int(is_ai.sum()),
        n_non_ai=n_non_ai,
        segment_accuracy_ai=float((t_seg == p_seg)[is_ai].mean()) if is_ai.any() else float("nan"),
        non_ai_recall=float((p_lay == NON_AI)[~is_ai].mean()) if n_non_ai else float("nan"),
        non_ai_called_ai=int(p_lay[~is_ai].isin(LAYERS).sum()),
        layer_accuracy_answered=float((t_lay == p_lay)[answered].mean())
        if answered.any()
        else float("nan"),
        cv_folds=cv_folds,
    )
