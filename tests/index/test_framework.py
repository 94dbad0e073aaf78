"""Frameworks from COINr tables and from YAML with Chinese and English names; up-front validation."""

from __future__ import annotations

import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.index import Framework, build

YAML = """
name: china_ai_demo
levels: [indicator, dimension, index]
unit_type: city
index: {code: AI20, name_zh: 人工智能城市指数, name_en: AI City Index}
nodes:
  - {code: TECH, parent: AI20, name_zh: 技术创新能力, name_en: Technological innovation, weight: 2}
  - {code: IND, parent: AI20, name_zh: 产业集群竞争力, name_en: Industrial clusters}
  - {code: patents, parent: TECH, name_zh: AI专利, name_en: AI patents, denominator: population}
  - {code: labs, parent: TECH, name_zh: 重点实验室, name_en: Key labs}
  - {code: firms, parent: IND, name_zh: AI企业数, name_en: AI firms}
  - {code: cost, parent: IND, name_zh: 用地成本, name_en: Land cost, direction: -1}
"""


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uCode": ["110000", "310000", "440300", "330100"],
            "uName": ["北京", "上海", "深圳", "杭州"],
            "unit_type": ["city"] * 4,
            "population": [2185.0, 2487.0, 1766.0, 1237.0],
            "patents": [9000.0, 6000.0, 7000.0, 3000.0],
            "labs": [120.0, 80.0, 40.0, 30.0],
            "firms": [1500.0, 1200.0, 1100.0, 600.0],
            "cost": [90.0, 85.0, 80.0, 50.0],
        }
    )


def test_yaml_framework_with_chinese_names_builds():
    fw = Framework.from_yaml(YAML, _units())
    assert fw.levels == [["patents", "labs", "firms", "cost"], ["TECH", "IND"], ["AI20"]]
    assert (
        fw.names("TECH", "zh") == "技术创新能力"
        and fw.names("TECH", "en") == "Technological innovation"
    )
    assert fw.denominators == {"patents": "population"}
    assert fw.units.loc["440300", "uName"] == "深圳"
    res = build(fw)
    assert res.index_ranks.loc["110000"] == 1
    imeta, idata = fw.to_coinr()
    again = Framework.from_coinr(imeta, idata)
    assert again.levels == fw.levels and again.weights == fw.weights


def test_yaml_validation_names_every_offending_code():
    bad = """
index: {code: IDX, name_en: Index}
nodes:
  - {code: D1, parent: IDX, name_en: D1}
  - {code: a, parent: D1, name_en: a, direction: 2}
  - {code: b, parent: NOPE, name_en: b}
  - {code: c, parent: D1, weight: -1, name_en: c}
  - {code: d e, parent: D1, name_en: d}
  - {code: f, parent: D1}
"""
    with pytest.raises(ConfigError) as err:
        Framework.from_yaml(bad)
    text = str(err.value)
    for fragment in (
        "a): direction must be -1 or 1",
        "b: Parent NOPE",
        "c): weight must be",
        "'d e' must not contain spaces",
        "(f): needs name_zh or name_en",
    ):
        assert fragment in text, text


def test_yaml_data_problems_are_reported():
    units = _units().drop(columns=["labs"])
    with pytest.raises(ConfigError, match=r"indicator columns missing \['labs'\]"):
        Framework.from_yaml(YAML, units)
    units = _units()
    units.loc[1, "unit_type"] = "province"
    with pytest.raises(ConfigError, match="unit_type must be one of"):
        Framework.from_yaml(YAML, units)


def test_coinr_checks(coinr_asem):
    imeta = pd.read_csv(coinr_asem / "input_iMeta.csv")
    idata = pd.read_csv(coinr_asem / "input_iData.csv")
    broken = imeta.copy()
    broken.loc[0, "Parent"] = "Nowhere"
    broken.loc[1, "Direction"] = 0
    broken.loc[2, "iCode"] = "LPI"  # duplicate
    with pytest.raises(ConfigError) as err:
        Framework.from_coinr(broken, idata)
    text = str(err.value)
    assert "Parent Nowhere" in text and "Flights: Direction must be -1 or 1" in text
    assert "duplicate iCode ['LPI']" in text
    data2 = idata.copy()
    data2["Physical"] = 1.0
    with pytest.raises(
        ConfigError, match=r"aggregate codes must not be iData columns: \['Physical'\]"
    ):
        Framework.from_coinr(imeta, data2)
    with pytest.raises(ConfigError, match="lacks required columns"):
        Framework.from_coinr(imeta.drop(columns=["Parent"]), idata)


def test_lineage_and_tree(asem_framework):
    lin = asem_framework.lineage()
    assert list(lin.columns) == ["Indicator", "Pillar", "Sub-index", "Index"]
    assert lin.set_index("Indicator").loc["Goods", "Pillar"] == "ConEcFin"
    children, parents, M = asem_framework.tree()[0]
    assert M.shape == (49, 8) and (M.sum(axis=1) == 1).all()
    assert children == asem_framework.indicators and parents[0] == "ConEcFin"


def test_with_data_replaces_the_raw_table(make_toy):
    fw = make_toy()
    data = fw.data * 2
    res = build(fw, data=data)
    assert res.stages["raw"].equals(data)
