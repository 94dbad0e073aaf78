import re

from aicity.profiles.profile import DimensionScore, Profile
from aicity.profiles.verdict import layer_mix_sentence, verdict


def _profile(**kw) -> Profile:
    dims = [
        DimensionScore("TECH", "技术创新能力", "Technological innovation", 80.0, 2, 50.0),
        DimensionScore("CLUSTER", "产业集群竞争力", "Industrial clusters", 40.0, 9, 52.0),
        DimensionScore("REGION", "区域支撑能力", "Regional support", 55.0, 6, 53.0),
    ]
    base = dict(
        unit_key="330100",
        name_zh="杭州",
        name_en="Hangzhou",
        n_units=20,
        index_code="AI20",
        score=58.4,
        rank=4,
        rank_low=3.0,
        rank_high=7.0,
        dimensions=dims,
        strengths=[],
        weaknesses=[],
        n_indicators=10,
        n_observed=8,
        n_imputed=2,
        n_stale=1,
    )
    base.update(kw)
    return Profile(**base)


def test_verdict_quotes_rank_interval_and_gaps_in_both_languages():
    zh = verdict(_profile(), "zh")
    assert zh.startswith("杭州综合得分58.4，在20个城市中排名第4位，90%区间第3–7位。")
    assert "技术创新能力（80.0分）高于中位城市30.0分" in zh
    assert "产业集群竞争力（40.0分）低于中位城市12.0分" in zh
    en = verdict(_profile(), "en")
    assert "ranked 4 of 20 (90% interval 3–7)" in en
    assert "30.0 points above the median city" in en


def test_every_verdict_sentence_carries_a_number():
    profile = _profile(
        registry_layer_counts={"foundation": 0, "technology": 20, "application": 16},
        reference_layer_counts={"foundation": 30, "technology": 40, "application": 50},
    )
    for lang, splitter in (("zh", r"[。；]"), ("en", r"(?<=\.) |; ")):
        text = verdict(profile, lang)
        parts = [p for p in re.split(splitter, text) if p.strip()]
        assert len(parts) >= 3
        for part in parts:
            assert re.search(r"\d", part), (lang, part)


def test_no_layer_sentence_from_too_few_firms():
    assert layer_mix_sentence({"technology": 1, "application": 1}) == ""
    text = verdict(_profile(layer_counts={"technology": 1}), "zh")
    assert "企业" not in text


def test_close_to_median_is_said_with_the_spread():
    dims = [DimensionScore(c, c, c, 51.0, 5, 50.0) for c in ("A", "B", "C")]
    assert "三个维度得分均在中位城市上下1.0分以内" in verdict(_profile(dimensions=dims), "zh")


def test_leads_or_trails_only_where_the_90_percent_intervals_separate():
    from aicity.profiles.verdict import claims

    me = _profile(rank=4, rank_low=3.0, rank_high=5.0)
    above = _profile(name_zh="上海", name_en="Shanghai", rank=3, rank_low=1.0, rank_high=2.0)
    below = _profile(name_zh="成都", name_en="Chengdu", rank=5, rank_low=4.0, rank_high=8.0)
    compared = next(c for c in claims(me, [above, below]) if c.kind == "comparison")
    assert "落后于上海" in compared.text_zh and "与成都相当" in compared.text_zh
    assert "behind Shanghai" in compared.text_en and "comparable to Chengdu" in compared.text_en
    assert compared.basis_kind == "uncertainty"
    # without intervals there is no comparison at all
    bare = _profile(rank_low=None, rank_high=None)
    assert all(c.kind != "comparison" for c in claims(bare, [above]))


def test_an_unranked_unit_is_said_to_have_insufficient_data():
    from aicity.profiles.verdict import claims

    profile = _profile(rank=None, score=float("nan"), real_cells=4, total_cells=9)
    (only,) = claims(profile)
    assert only.kind == "rank" and "数据不足" in only.text_zh and "4" in only.text_zh
    assert "not ranked" in only.text_en
