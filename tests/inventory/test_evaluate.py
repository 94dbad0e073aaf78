from __future__ import annotations

import pandas as pd
import pytest

from aicity.errors import InputError
from aicity.inventory.evaluate import UNCLASSIFIED, evaluate
from aicity.inventory.taxonomy import load_taxonomy


def test_scores_and_confusion_by_hand():
    tax = load_taxonomy()
    truth = pd.DataFrame(
        {
            "enterprise_id": list("abcd"),
            "segment": ["ai_chips", "ai_chips", "large_models", "robotics"],
        }
    )
    pred = pd.DataFrame(
        {
            "enterprise_id": list("abcd"),
            "segment": ["ai_chips", "large_models", "large_models", None],
        }
    )
    ev = evaluate(pred, truth, tax)
    assert ev.n == 4 and ev.segment_accuracy == 0.5 and ev.coverage == 0.75
    seg = ev.per_segment.set_index("label")
    assert seg.loc["ai_chips", "precision"] == 1.0 and seg.loc["ai_chips", "recall"] == 0.5
    assert seg.loc["large_models", "precision"] == 0.5 and seg.loc["large_models", "recall"] == 1.0
    assert seg.loc["robotics", "recall"] == 0.0
    lay = ev.per_layer.set_index("label")
    assert lay.loc["foundation", "recall"] == 0.5 and lay.loc["technology", "precision"] == 0.5
    assert ev.layer_confusion.loc["application", UNCLASSIFIED] == 1
    assert ev.layer_confusion.loc["foundation", "technology"] == 1


def test_empty_or_unknown_labels_are_errors():
    tax = load_taxonomy()
    empty = pd.DataFrame({"enterprise_id": [], "segment": []})
    with pytest.raises(InputError, match="no labelled firms"):
        evaluate(empty, empty, tax)
    bad = pd.DataFrame({"enterprise_id": ["a"], "segment": ["nope"]})
    with pytest.raises(InputError, match="not segments of the taxonomy"):
        evaluate(bad, bad, tax)


def test_non_ai_labels_and_predictions():
    tax = load_taxonomy()
    truth = pd.DataFrame(
        {"enterprise_id": list("abcd"), "segment": ["none", "none", "ai_chips", "robotics"]}
    )
    pred = pd.DataFrame(
        {
            "enterprise_id": list("abcd"),
            "segment": [None, "robotics", "ai_chips", None],
            "layer": [None, "application", "foundation", None],
            "outcome": ["non_ai", "ai", "ai", "unclassified"],
        }
    )
    ev = evaluate(pred, truth, tax, cv_folds=5)
    assert ev.n_non_ai == 2 and ev.non_ai_recall == 0.5 and ev.non_ai_called_ai == 1
    assert ev.layer_accuracy == 0.5 and ev.segment_accuracy == 0.5 and ev.coverage == 0.75
    assert ev.segment_accuracy_ai == 0.5
    assert ev.layer_confusion.loc["none", "none"] == 1
    assert ev.layer_confusion.loc["application", UNCLASSIFIED] == 1
    assert ("none", "robotics", 1) in ev.top_confusions()
    assert ev.to_dict()["summary"]["cv_folds"] == 5
