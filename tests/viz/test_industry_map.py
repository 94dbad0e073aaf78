"""The industry map: the data behind it (bands, cells, missing links, mix, finding), then the files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import InputError
from aicity.viz.industry_map import finding_sentence, layer_mix, write_industry_map
from aicity.workflows import classification as wf_classify
from aicity.workflows import industry_map as wf_map
from aicity.workflows import inventory as wf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))
_spec = importlib.util.spec_from_file_location(
    "wf_inventory_tests", Path(__file__).resolve().parents[1] / "workflows" / "test_inventory.py"
)
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
example_store = _mod.example_store


@pytest.fixture(scope="module")
def store():
    s = example_store()
    wf_classify.classify(s)
    wf.inventory(s, year=2025)
    yield s
    s.close()


def test_beijing_map_data_matches_the_example(store):
    data = wf_map.industry_map_data(store, "北京")
    assert data.unit_key == "110000" and data.n_firms == 14
    cells = {c.code: c for b in data.bands for c in b.cells}
    assert len(cells) == 28 and [b.layer for b in data.bands] == [
        "foundation",
        "technology",
        "application",
    ]
    assert cells["large_models"].count == 8
    assert "智谱 Zhipu AI" in cells["large_models"].firms and len(cells["large_models"].firms) == 3
    assert cells["ai_chips"].count == 3 and not cells["ai_chips"].missing
    assert cells["smart_healthcare"].missing and "smart_healthcare" in data.missing_links
    assert sum(c.count for c in cells.values()) == 14
    mix = data.mix.set_index("layer")
    assert mix.loc["technology", "local_share"] == pytest.approx(9 / 14)
    assert mix.loc["technology", "national_share"] == pytest.approx(25 / 77)
    # the bundled firms are a curated sample: the map says so and draws no comparison or missing link
    assert data.sample
    assert data.finding.startswith("北京：示意图，基于样本清单中已分类的 14 家企业")
    assert "企业偏多" not in data.finding and "缺失 23 个" not in data.finding


def test_english_and_park_maps(store):
    en = wf_map.industry_map_data(store, "Hangzhou", lang="en")
    assert en.unit_name == "Hangzhou" and en.title == "Hangzhou: AI industry map"
    assert en.finding.startswith("Hangzhou: illustrative") and "missing link" in en.finding
    assert "national mix" in en.finding and "more " not in en.finding
    parks = store.fetch_df("SELECT park_id FROM parks WHERE city_code = '110000' ORDER BY park_id")
    park = wf_map.industry_map_data(store, "北京", park=parks["park_id"].iloc[0])
    assert park.unit_type == "park"
    with pytest.raises(InputError, match="no park 'nope' in 北京"):
        wf_map.industry_map_data(store, "北京", park="nope")
    with pytest.raises(InputError, match="unknown city 'Atlantis'"):
        wf_map.industry_map_data(store, "Atlantis")


def test_finding_sentences_from_the_data():
    mix = layer_mix(
        {"foundation": 0.05, "technology": 0.40, "application": 0.55},
        {"foundation": 0.10, "technology": 0.25, "application": 0.65},
        "zh",
    )
    zh = finding_sentence("杭州", mix, 3, 28, 20, "zh")
    assert zh.startswith("杭州：技术层企业偏多（较全国 +15.0 个百分点）")
    assert "应用层企业偏少（-10.0 个百分点）" in zh and "缺失 3 个" in zh
    assert "基础层" not in zh  # -5.0 is within the 5-point margin
    en = finding_sentence(
        "Hangzhou", layer_mix({"technology": 0.4}, {"technology": 0.25}, "en"), 0, 28, 5, "en"
    )
    assert en.startswith(
        "Hangzhou: more technology-layer firms than the national mix (+15.0 points)"
    )
    empty = finding_sentence("X", layer_mix({}, {}, "en"), 28, 28, 0, "en")
    assert "no classified firms" in empty


def test_files_render_with_the_bundled_font(store, tmp_path: Path):
    data = wf_map.industry_map_data(store, "深圳")
    for suffix in (".svg", ".png", ".pdf", ".html"):
        out = write_industry_map(data, tmp_path / f"sz{suffix}")
        assert out.stat().st_size > 10_000
    html = (tmp_path / "sz.html").read_text(encoding="utf-8")
    assert data.finding in html and "<svg" in html and 'data-segment="robotics"' in html
    assert "缺失环节" in html
    from matplotlib import font_manager

    from aicity.viz.fonts import setup_matplotlib

    family = setup_matplotlib()
    assert family == "Noto Sans SC"
    # the font matplotlib resolves for Chinese text is the bundled one, not a fallback
    assert (
        Path(font_manager.findfont(font_manager.FontProperties(family=family))).name
        == "NotoSansSC-Regular.otf"
    )
    with pytest.raises(InputError, match="expected an output ending"):
        write_industry_map(data, tmp_path / "sz.gif")


def test_empty_inventory_city_is_all_missing(store):
    store.execute(
        "INSERT INTO cities (code, name_zh, name_en) SELECT '999999', '空城', 'Emptyville' "
        "WHERE NOT EXISTS (SELECT 1 FROM cities WHERE code = '999999')"
    )
    data = wf_map.industry_map_data(store, "空城")
    assert data.n_firms == 0 and len(data.missing_links) == 28
    assert "没有已分类的企业" in data.finding
    assert pd.isna(data.mix["local_share"]).all()
