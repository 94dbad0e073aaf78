"""The learned classifier: trained on the bundled labelled firms, it reads business text, says when a firm
is not an AI firm, stays unclassified when unsure, and explains itself."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from aicity.errors import ConfigError, InputError
from aicity.inventory.evaluate import evaluate
from aicity.inventory.learned import LearnedClassifier, cross_val_predict
from aicity.inventory.learned_linear import _nb_ratio
from aicity.inventory.ngrams import CharNgramTfidf, normalise
from aicity.inventory.taxonomy import load_taxonomy
from aicity.workflows.labels import bundled_labels_path, read_labels


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    return read_labels(bundled_labels_path())


@pytest.fixture(scope="module")
def model(labelled) -> LearnedClassifier:
    return LearnedClassifier(load_taxonomy(), version=1).fit(labelled, labelled["segment"].tolist())


def firms(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": [f"f{i}" for i in range(len(rows))],
            "name": [r[0] for r in rows],
            "description": [r[1] for r in rows],
        }
    )


def test_ngrams_equal_sklearn_char_tfidf():
    texts = ["寒武纪 AI芯片设计", "人形機器人研發", "  GPU   and NPU ", "", "数据中心运营"]
    mine = CharNgramTfidf().fit(texts)
    ref = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, preprocessor=normalise
    ).fit(texts)
    order = [ref.vocabulary_[t] for t in mine.get_feature_names_out()]
    assert len(order) == len(ref.vocabulary_)
    new = ["机器人与芯片", "zzz", "GPU 数据中心 数据中心"]
    np.testing.assert_allclose(
        mine.transform(new).toarray(), ref.transform(new)[:, order].toarray()
    )
    assert normalise("廣東　ＡＩ晶片") == "广东 ai晶片"  # NFKC, simplified, lower case, one space


def test_reads_main_business_not_the_loudest_keyword(model):
    out = model.classify(
        firms(
            (
                "某某地产集团",
                "公司主营房地产开发、商业地产运营与产业园区招商，开发运营人工智能产业园。",
            ),
            ("某某微电子", "公司专注于高性能AI芯片和GPU的设计与研发，产品用于云端训练和推理。"),
        )
    ).set_index("enterprise_id")
    assert out.loc["f0", "outcome"] == "non_ai" and pd.isna(out.loc["f0", "layer"])
    assert out.loc["f1", "segment"] == "ai_chips" and out.loc["f1", "layer"] == "foundation"
    assert out["confidence"].between(0, 1).all() and out["p_ai"].between(0, 1).all()


def test_low_confidence_is_unclassified(labelled):
    strict = LearnedClassifier(load_taxonomy(), threshold=0.99).fit(
        labelled, labelled["segment"].tolist()
    )
    out = strict.classify(firms(("某某公司", "公司成立于2015年，总部位于杭州。"))).iloc[0]
    assert out.outcome == "unclassified" and out.segment is None and out.layer is None
    assert out.explanation.startswith("unclassified: ")


def test_ai_gate_reads_plain_features_with_the_nb_ratio_folded_in(labelled):
    part = labelled.groupby(labelled["segment"] == "none").head(150)
    clf = LearnedClassifier(load_taxonomy()).fit(part, part["segment"].tolist())
    X = clf._matrix(part)
    is_ai = (part["segment"] != "none").to_numpy()
    ratio = _nb_ratio(X, is_ai, clf.ai_nb_alpha)
    assert np.isfinite(ratio).all() and (ratio > 0).any() and (ratio < 0).any()
    scaled = LogisticRegression(C=clf.ai_C, max_iter=5000, class_weight="balanced").fit(
        X @ sp.diags(ratio), is_ai.astype(int)
    )
    np.testing.assert_allclose(
        clf.ai_model_.predict_proba(X), scaled.predict_proba(X @ sp.diags(ratio)), atol=1e-12
    )
    # the segment stage: one NB-scaled regression per segment, probabilities summing to 1
    q = clf.segment_model_.predict_proba(X)
    assert q.shape == (len(part), len(clf.classes_)) and np.allclose(q.sum(axis=1), 1.0)


def test_explanation_names_terms_and_rule_hits(model):
    out = model.classify(firms(("某某科技", "人形机器人与具身智能的研发和制造"))).iloc[0]
    assert out.segment == "robotics"
    assert "terms: " in out.explanation and "rules: " in out.explanation
    assert "机器人" in out.explanation


def test_layer_label_restricts_and_save_load_round_trip(model, tmp_path: Path):
    firm = firms(("x", "人形机器人研发")).assign(layer=["foundation"])
    assert model.classify(firm).iloc[0].layer == "foundation"
    path = tmp_path / "m.joblib"
    model.save(path, {"training_sha256": "abc"})
    again = LearnedClassifier.load(path)
    assert again.version == 1 and again.meta_["training_sha256"] == "abc"
    sample = firms(("甲", "语音识别与语音合成"), ("乙", "连锁超市与日用百货零售"))
    pd.testing.assert_frame_equal(again.classify(sample), model.classify(sample))


@pytest.mark.slow
def test_cross_validation_is_out_of_fold_and_well_above_chance(labelled):
    # a robust floor far below the measured figures (about 0.76 layer, 0.63 segment): it guards against a
    # broken pipeline, not for a lucky score
    pred = cross_val_predict(labelled, labelled["segment"].tolist(), load_taxonomy(), folds=3)
    assert sorted(pred["enterprise_id"]) == sorted(labelled["enterprise_id"])
    ev = evaluate(pred, labelled[["enterprise_id", "segment"]], load_taxonomy(), 3)
    assert ev.layer_accuracy > 0.5 and ev.segment_accuracy > 0.35 and ev.non_ai_recall > 0.5


def test_bad_training_input_and_files(tmp_path: Path):
    two = firms(("a", "x"), ("b", "y"))
    with pytest.raises(InputError, match="not segments of the taxonomy"):
        LearnedClassifier(load_taxonomy()).fit(two, ["ai_chips", "nope"])
    with pytest.raises(InputError, match="at least 2 segments"):
        LearnedClassifier(load_taxonomy()).fit(two, ["ai_chips", "none"])
    with pytest.raises(ConfigError, match="not trained"):
        LearnedClassifier(load_taxonomy()).classify(firms(("x", "y")))
    junk = tmp_path / "junk.joblib"
    joblib.dump({"meta": {"format": "other"}}, junk)
    with pytest.raises(ConfigError, match="not an aicity learned-classifier file"):
        LearnedClassifier.load(junk)
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a pickle")
    with pytest.raises(ConfigError, match="cannot read the model file"):
        LearnedClassifier.load(broken)


def test_many_firms_are_scanned_in_duckdb_with_the_same_answers(model, monkeypatch):
    from aicity.inventory.synth import SynthSpec, generate

    synth = next(generate(SynthSpec(rows=2500, seed=3, chunk_rows=2500))).to_pandas()
    synth = synth[["enterprise_id", "name", "description"]]
    at_once = model.classify(synth)  # 2,500 firms: keywords matched by DuckDB (RE2)
    in_parts = pd.concat(  # 500 at a time: Python's re
        [model.classify(synth.iloc[i : i + 500]) for i in range(0, 2500, 500)], ignore_index=True
    )
    pd.testing.assert_frame_equal(at_once, in_parts)
    monkeypatch.setattr("aicity.inventory.learned.CHUNK_ROWS", 1000)  # chunks of a big registry
    pd.testing.assert_frame_equal(model.classify(synth), at_once)
