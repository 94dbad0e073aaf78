"""The rules classifier in the database (matching in DuckDB, vectorised scoring) gives the
per-row classifier's answers."""

from __future__ import annotations

import pandas as pd
import pytest

from aicity.inventory.rules import RulesClassifier, keyword_pattern
from aicity.inventory.synth import SynthSpec, generate
from aicity.inventory.taxonomy import load_taxonomy
from aicity.store import Store
from aicity.workflows.classification import classify_rules_in_db


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def test_sql_form_equals_python_form(tax):
    """The set-based statement in DuckDB gives exactly the Python answer (2,000 synthetic firms)."""
    frame = next(generate(SynthSpec(rows=2000, seed=11, label_share=0.0))).to_pandas()
    frame.loc[:9, "name"] = frame.loc[:9, "name"] + " Robotics GPU"  # latin keywords, mixed case
    frame.loc[10:19, "layer"] = "technology"  # layer labels restrict both forms alike
    py = RulesClassifier(tax).classify(frame)
    store = Store.memory()
    store.register("firms_in", frame[["enterprise_id", "name", "description", "layer", "segment"]])
    keywords = pd.DataFrame(tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
    n = classify_rules_in_db(store, 1, keywords, keyword_pattern(tax), 2.0, relation="firms_in")
    assert n == 2000
    sql = store.fetch_df("SELECT * FROM classifications WHERE run_id = 1")
    merged = py.merge(sql, on="enterprise_id", suffixes=("_py", "_sql"))
    assert len(merged) == 2000
    for col in ("segment", "layer", "secondary", "explanation", "method"):
        a = merged[f"{col}_py"].fillna("<NA>").astype(str)
        b = merged[f"{col}_sql"].fillna("<NA>").astype(str)
        assert (a == b).all(), merged.loc[a != b, [f"{col}_py", f"{col}_sql"]].head()
    assert (merged["confidence_py"] - merged["confidence_sql"]).abs().max() < 1e-12
    assert merged["segment_py"].notna().mean() > 0.9


def test_sql_form_keeps_input_labels():
    tax = load_taxonomy()
    store = Store.memory()
    store.register(
        "firms_in",
        pd.DataFrame(
            {
                "enterprise_id": ["a", "b"],
                "name": ["x", "x"],
                "description": ["GPU", "GPU"],
                "layer": ["application", None],
                "segment": ["robotics", None],
            }
        ),
    )
    keywords = pd.DataFrame(tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
    classify_rules_in_db(store, 7, keywords, keyword_pattern(tax), 2.0, relation="firms_in")
    out = store.fetch_df("SELECT * FROM classifications ORDER BY enterprise_id").set_index(
        "enterprise_id"
    )
    assert tuple(out.loc["a", ["segment", "method", "confidence"]]) == ("robotics", "input", 1.0)
    assert tuple(out.loc["b", ["segment", "method"]]) == ("ai_chips", "rules")


def test_batched_scoring_gives_the_same_rows(tax):
    frame = next(generate(SynthSpec(rows=1500, seed=12, label_share=0.2))).to_pandas()
    keywords = pd.DataFrame(tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
    store = Store.memory()
    store.register("firms_in", frame[["enterprise_id", "name", "description", "layer", "segment"]])
    assert classify_rules_in_db(store, 1, keywords, keyword_pattern(tax), 2.0, "firms_in") == 1500
    assert (
        classify_rules_in_db(
            store, 2, keywords, keyword_pattern(tax), 2.0, "firms_in", batch_rows=400
        )
        == 1500
    )
    cols = "enterprise_id, segment, layer, secondary, confidence, explanation, method"
    one = store.fetch_df(
        f"SELECT {cols} FROM classifications WHERE run_id = 1 ORDER BY enterprise_id"
    )
    four = store.fetch_df(
        f"SELECT {cols} FROM classifications WHERE run_id = 2 ORDER BY enterprise_id"
    )
    pd.testing.assert_frame_equal(one, four)


def test_sql_form_on_no_firms_and_on_labelled_firms_only(tax):
    keywords = pd.DataFrame(tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
    store = Store.memory()
    empty = pd.DataFrame(
        {c: pd.Series([], dtype="string") for c in ("enterprise_id", "name", "description")}
        | {"layer": pd.Series([], dtype="string"), "segment": pd.Series([], dtype="string")}
    )
    store.register("none_in", empty)
    assert classify_rules_in_db(store, 1, keywords, keyword_pattern(tax), 2.0, "none_in") == 0
    labelled = pd.DataFrame(
        {
            "enterprise_id": ["a", "b"],
            "name": ["GPU", None],
            "description": [None, "语音识别"],
            "layer": ["foundation", "technology"],
            "segment": ["ai_chips", "speech"],
        }
    )
    store.register("labelled_in", labelled)
    assert classify_rules_in_db(store, 2, keywords, keyword_pattern(tax), 2.0, "labelled_in") == 2
    out = store.fetch_df("SELECT * FROM classifications WHERE run_id = 2 ORDER BY enterprise_id")
    assert out["method"].eq("input").all() and out["segment"].tolist() == ["ai_chips", "speech"]
    assert out["explanation"].eq("label given in the input").all() and out["score"].isna().all()


def test_sql_form_handles_missing_text_and_unknown_layers(tax):
    """NULL names/scopes, a layer label outside the taxonomy (restricts to nothing), many batches."""
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"f{i}" for i in range(7)],
            "name": [None, "GPU", "", "智能芯片 Robotics", None, "x", "大模型"],
            "description": [None, None, "人形机器人；机器人", "", "语音识别；机器翻译", "无", None],
            "layer": [None, None, None, None, None, None, "application"],
            "segment": [None] * 7,
        }
    )
    keywords = pd.DataFrame(tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"])
    store = Store.memory()
    store.register("firms_in", frame)
    n = classify_rules_in_db(
        store, 3, keywords, keyword_pattern(tax), 2.0, "firms_in", batch_rows=2
    )
    assert n == 7
    sql = store.fetch_df("SELECT * FROM classifications WHERE run_id = 3")
    py = RulesClassifier(tax).classify(frame)
    merged = py.merge(sql, on="enterprise_id", suffixes=("_py", "_sql"))
    for col in ("segment", "layer", "secondary", "explanation", "method"):
        a = merged[f"{col}_py"].fillna("<NA>").astype(str)
        b = merged[f"{col}_sql"].fillna("<NA>").astype(str)
        assert (a == b).all(), merged.loc[a != b, ["enterprise_id", f"{col}_py", f"{col}_sql"]]
    assert (merged["confidence_py"] - merged["confidence_sql"]).abs().max() < 1e-12
    assert (merged["score_py"] - merged["score_sql"]).abs().max() < 1e-12
