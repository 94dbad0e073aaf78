"""Classifier evaluation against labelled firms: precision, recall, F1 per layer and per segment, and
confusion tables. A firm the classifier leaves unclassified counts as the prediction ``(none)``: it
lowers recall, never precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aicity.errors import InputError
from aicity.inventory.taxonomy import LAYERS, Taxonomy

NONE = "(none)"


@dataclass(frozen=True)
class Evaluation:
    n: int
    segment_accuracy: float
    layer_accuracy: float
    coverage: float  # share of firms given any segment
    per_layer: pd.DataFrame  # label, precision, recall, f1, support
    per_segment: pd.DataFrame
    layer_confusion: pd.DataFrame  # rows truth, columns predicted
    segment_confusion: pd.DataFrame

    def summary(self) -> dict[str, float]:
        return {
            "n": self.n,
            "segment_accuracy": self.segment_accuracy,
            "layer_accuracy": self.layer_accuracy,
            "coverage": self.coverage,
            "segment_macro_f1": float(self.per_segment["f1"].mean())
            if len(self.per_segment)
            else 0.0,
            "layer_macro_f1": float(self.per_layer["f1"].mean()) if len(self.per_layer) else 0.0,
        }


def _scores(truth: pd.Series, pred: pd.Series, labels: list[str]) -> pd.DataFrame:
    from sklearn.metrics import precision_recall_fscore_support  # ~0.5 s: only when evaluating

    p, r, f, s = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    return pd.DataFrame({"label": labels, "precision": p, "recall": r, "f1": f, "support": s})


def evaluate(predicted: pd.DataFrame, truth: pd.DataFrame, taxonomy: Taxonomy) -> Evaluation:
    """Compare ``predicted`` (enterprise_id, segment, layer) with ``truth`` (enterprise_id, segment)."""
    if truth.empty:
        raise InputError(
            "no labelled firms to evaluate against (expected rows with a segment label)"
        )
    unknown = sorted(set(truth["segment"]) - set(taxonomy.codes))
    if unknown:
        raise InputError(
            f"labels {unknown} are not segments of the taxonomy {taxonomy.source}", column="segment"
        )
    merged = truth[["enterprise_id", "segment"]].merge(
        predicted[["enterprise_id", "segment"]],
        on="enterprise_id",
        how="left",
        suffixes=("_true", "_pred"),
    )
    t_seg = merged["segment_true"].astype(str)
    p_seg = merged["segment_pred"].fillna(NONE).astype(str)
    t_lay = t_seg.map(taxonomy.layer_of)
    p_lay = p_seg.map(lambda c: taxonomy.layer_of(c) if c in taxonomy else NONE)
    seg_labels = [c for c in taxonomy.codes if c in set(t_seg) | set(p_seg)]
    lay_labels = [lay for lay in LAYERS if lay in set(t_lay) | set(p_lay)]
    seg_conf = pd.crosstab(t_seg, p_seg, rownames=["truth"], colnames=["predicted"])
    lay_conf = pd.crosstab(t_lay, p_lay, rownames=["truth"], colnames=["predicted"])
    order = [*LAYERS, NONE]
    lay_conf = lay_conf.reindex(
        index=[x for x in order if x in lay_conf.index],
        columns=[x for x in order if x in lay_conf.columns],
        fill_value=0,
    )
    return Evaluation(
        n=len(merged),
        segment_accuracy=float((t_seg == p_seg).mean()),
        layer_accuracy=float((t_lay == p_lay).mean()),
        coverage=float((p_seg != NONE).mean()),
        per_layer=_scores(t_lay, p_lay, lay_labels),
        per_segment=_scores(t_seg, p_seg, seg_labels),
        layer_confusion=lay_conf,
        segment_confusion=seg_conf,
    )
