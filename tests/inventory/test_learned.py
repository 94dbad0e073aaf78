from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import ConfigError, InputError
from aicity.inventory.evaluate import evaluate
from aicity.inventory.learned import LearnedClassifier, firm_text
from aicity.inventory.synth import SynthSpec, generate
from aicity.inventory.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def data():
    frame = next(
        generate(SynthSpec(rows=1400, seed=21, label_share=0.0, chunk_rows=1400))
    ).to_pandas()
    return frame.iloc[:1000].reset_index(drop=True), frame.iloc[1000:].reset_index(drop=True)


@pytest.fixture(scope="module")
def model(data):
    train, _ = data
    return LearnedClassifier(load_taxonomy(), version=1).fit(
        firm_text(train), train["true_segment"].tolist()
    )


def test_learns_segments_from_labelled_firms(model, data):
    _, test = data
    pred = model.classify(test)
    truth = test[["enterprise_id", "true_segment"]].rename(columns={"true_segment": "segment"})
    ev = evaluate(pred, truth, load_taxonomy())
    assert ev.segment_accuracy > 0.8 and ev.layer_accuracy > 0.85
    assert ev.coverage == 1.0
    assert pred["method"].eq("learned").all()
    assert pred["confidence"].between(0, 1).all()


def test_explanation_names_top_features(model):
    firm = pd.DataFrame(
        {
            "enterprise_id": ["x"],
            "name": ["某某科技有限公司"],
            "description": ["人形机器人与具身智能研发"],
        }
    )
    out = model.classify(firm).iloc[0]
    assert out.segment == "robotics"
    assert out.explanation.startswith("top features: ")
    assert "人形机器人" in out.explanation or "具身智能" in out.explanation


def test_layer_label_restricts_and_save_load_round_trip(model, data, tmp_path: Path):
    firm = pd.DataFrame(
        {
            "enterprise_id": ["x"],
            "name": ["x"],
            "description": ["人形机器人研发"],
            "layer": ["foundation"],
        }
    )
    assert model.classify(firm).iloc[0].layer == "foundation"
    path = tmp_path / "m.joblib"
    model.save(path)
    again = LearnedClassifier.load(path)
    _, test = data
    assert again.version == 1
    assert (
        again.classify(test.head(50))["segment"] == model.classify(test.head(50))["segment"]
    ).all()


def test_bad_training_input_and_files(tmp_path: Path):
    with pytest.raises(InputError, match="not segments of the taxonomy"):
        LearnedClassifier(load_taxonomy()).fit(["a", "b"], ["ai_chips", "nope"])
    with pytest.raises(InputError, match="at least 2 segments"):
        LearnedClassifier(load_taxonomy()).fit(["a", "b"], ["ai_chips", "ai_chips"])
    with pytest.raises(ConfigError, match="not trained"):
        LearnedClassifier(load_taxonomy()).classify(
            pd.DataFrame({"enterprise_id": ["a"], "name": ["x"]})
        )
    junk = tmp_path / "junk.joblib"
    import joblib

    joblib.dump({"meta": {"format": "other"}}, junk)
    with pytest.raises(ConfigError, match="not an aicity learned-classifier file"):
        LearnedClassifier.load(junk)
