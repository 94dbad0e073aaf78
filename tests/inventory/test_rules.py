from __future__ import annotations

import pandas as pd
import pytest

from aicity.inventory.rules import RulesClassifier, confidence_of, keyword_pattern
from aicity.inventory.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def _firms(rows):
    return pd.DataFrame(rows, columns=["enterprise_id", "name", "description", "layer"])


def test_name_counts_double_and_explanation_lists_keywords(tax):
    out = (
        RulesClassifier(tax)
        .classify(
            _firms(
                [
                    ("a", "某某机器人有限公司", "人形机器人、具身智能研发；软件开发", None),
                    ("b", "某某科技", "GPU与AI芯片设计；大模型推理", None),
                    ("c", "某某贸易", "日用百货销售", None),
                ]
            )
        )
        .set_index("enterprise_id")
    )
    a = out.loc["a"]
    assert (a.segment, a.layer) == ("robotics", "application")
    # name: 机器人 (2); scope: 人形机器人 + 具身智能 (1 + 1): longest match wins inside 人形机器人
    assert a.score == 4.0
    assert a.explanation == "name: 机器人; scope: 人形机器人, 具身智能"
    assert a.secondary == ""
    assert a.confidence == pytest.approx(confidence_of(4, 4)) == pytest.approx(0.8)
    b = out.loc["b"]
    assert b.segment == "ai_chips" and b.secondary == "large_models"
    assert b.explanation == "scope: ai芯片, gpu"  # case-folded like the keywords
    assert b.confidence == pytest.approx((2 / 3) * (2 / 3))
    c = out.loc["c"]
    assert (
        pd.isna(c.segment) and c.confidence == 0 and c.explanation == "no taxonomy keyword matched"
    )


def test_layer_label_restricts_the_choice(tax):
    firms = _firms(
        [
            ("a", "x", "GPU 芯片；大模型；多模态", None),
            ("b", "x", "GPU 芯片；大模型；多模态", "foundation"),
        ]
    )
    out = RulesClassifier(tax).classify(firms).set_index("enterprise_id")
    assert out.loc["a", "segment"] == "large_models"  # 大模型 + 多模态 beat GPU
    assert out.loc["b", "segment"] == "ai_chips" and out.loc["b", "layer"] == "foundation"


def test_ties_go_to_the_segment_listed_first(tax):
    out = RulesClassifier(tax).classify(_firms([("a", "", "语音识别；机器翻译", None)]))
    assert out.loc[0, "segment"] == "speech"  # speech precedes nlp in the taxonomy
    assert out.loc[0, "secondary"] == "nlp"


def test_pattern_is_longest_first(tax):
    pattern = keyword_pattern(tax)
    first = pattern.split("|")[0]
    assert len(first) >= max(len(k) for k, *_ in tax.keyword_rows()) - 1
