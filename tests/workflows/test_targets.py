"""招商 targeting (aicity targets): never a firm of the city, registry-kind lists only when the store has
one, illustrative on a sample, segments weighted by the taxonomy's weights when it has them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.store import Store
from aicity.workflows import classification as wf_classify
from aicity.workflows.ingest import ingest_file
from aicity.workflows.targets import ILLUSTRATIVE_EN, ILLUSTRATIVE_ZH, name_keys, targets

HANGZHOU = "330100"
REGISTRY = """enterprise_id,name,city,layer,segment,description
hz-r1,杭州云视科技,杭州,technology,computer_vision,图像识别与视频分析
hz-r2,杭州数智制造,杭州,application,smart_manufacturing,工业质检
hz-r3,声谷科技（杭州分公司）,杭州,application,enterprise_services,企业软件
bj-r3,声谷科技,北京,technology,speech,语音识别
bj-r1,北京芯算科技,北京,foundation,ai_chips,AI芯片设计
bj-r2,阿里巴巴/阿里云 Alibaba Cloud,北京,foundation,computing_infra,云计算
bj-r4,北京视觉一号,北京,technology,computer_vision,人脸识别
bj-r5,北京视觉二号,北京,technology,computer_vision,视频结构化
sh-r1,上海语音智能,上海,technology,speech,语音合成
sz-r1,深圳视觉,深圳,technology,computer_vision,机器视觉
hf-r1,合肥声学研究,合肥,,,智能语音 语音识别 语音合成 声纹识别 语音交互
wh-r1,武汉大模型,武汉,technology,large_models,大语言模型
"""


def _example(path: Path | None = None) -> Store:
    store = Store.open(path) if path else Store.memory()
    folder = resources.files("aicity.data.example")
    for name, table in (
        ("cities.csv", "cities"),
        ("parks.csv", "parks"),
        ("enterprises.csv", "enterprises"),
    ):
        with resources.as_file(folder.joinpath(name)) as file:
            ingest_file(store, file, table, label=f"example/{name}")
    return store


@pytest.fixture(scope="module")
def sample_store():
    store = _example()
    wf_classify.classify(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def mixed_store(tmp_path_factory):
    store = _example()
    path = tmp_path_factory.mktemp("targets") / "registry.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    ingest_file(store, path, "enterprises", coverage="registry")
    wf_classify.classify(store)
    yield store
    store.close()


def _city_names(store: Store, code: str) -> set[str]:
    names = store.fetch_df("SELECT name FROM enterprises WHERE city_code = ?", [code])["name"]
    keys: set[str] = set()
    for name in names:
        keys |= name_keys(name)
    return keys


def _candidates(result) -> list:
    return [c for g in result.gaps for c in g.candidates]


def test_a_target_list_never_names_a_firm_of_the_city(mixed_store, sample_store):
    for store in (mixed_store, sample_store):
        cities = store.fetch_df("SELECT DISTINCT city_code FROM enterprises")["city_code"]
        for code in cities:
            result = targets(store, code, top=0, per_segment=20)
            own = _city_names(store, code)
            ids = set(
                store.fetch_df("SELECT enterprise_id FROM enterprises WHERE city_code = ?", [code])[
                    "enterprise_id"
                ]
            )
            for c in _candidates(result):
                assert c.city_code != code
                assert c.enterprise_id not in ids
                assert not (name_keys(c.name) & own), (code, c.name)
    # the branch in Hangzhou keeps its head office out; the Alibaba Cloud row in Beijing too, since a firm
    # of that name is on Hangzhou's (sample) list
    names = {c.name for c in _candidates(targets(mixed_store, "杭州", top=0, per_segment=20))}
    assert "声谷科技" not in names and "阿里巴巴/阿里云 Alibaba Cloud" not in names
    assert "上海语音智能" in names


def test_registry_firms_only_when_the_store_has_a_registry(mixed_store):
    result = targets(mixed_store, "杭州", top=0, per_segment=20)
    assert result.basis == "registry" and not result.illustrative
    assert result.n_local == 3 and result.n_pool == 12 and result.n_excluded == 77
    candidates = _candidates(result)
    assert candidates and {c.coverage for c in candidates} == {"registry"}
    sample_names = set(
        mixed_store.fetch_df("SELECT name FROM enterprises WHERE coverage = 'sample'")["name"]
    )
    assert not ({c.name for c in candidates} & sample_names)
    gaps = {g.segment: g for g in result.gaps}
    # counted over the registry only: the sample's Hangzhou firms do not fill a segment
    assert gaps["speech"].status == "missing" and gaps["speech"].label_en == "missing link"
    assert "computer_vision" not in gaps
    # the firm the rules classified carries its method and confidence as evidence
    hefei = next(c for c in gaps["speech"].candidates if c.enterprise_id == "hf-r1")
    assert hefei.method == "rules" and 0 < hefei.confidence <= 1
    assert hefei.business_text.startswith("智能语音") and "合肥" in hefei.why_zh
    assert "Hefei" in hefei.why_en and "registry" in hefei.why_en
    assert any("77" in note for note in result.notes_en)


def test_the_sample_store_says_it_is_illustrative(sample_store):
    result = targets(sample_store, "杭州")
    assert result.basis == "sample" and result.illustrative
    assert ILLUSTRATIVE_ZH in result.notes_zh and ILLUSTRATIVE_EN in result.notes_en
    assert result.gaps and all(g.label_en.endswith("in the sample") for g in result.gaps)
    assert all("样本" in g.label_zh for g in result.gaps)
    assert {c.coverage for c in _candidates(result)} == {"sample"}
    assert all("sample" in c.why_en and "样本" in c.why_zh for c in _candidates(result))


def test_segments_are_weighted_by_the_taxonomy_weights(mixed_store, tmp_path):
    equal = targets(mixed_store, "杭州", top=0)
    assert equal.weights_source == "equal" and {g.weight for g in equal.gaps} == {1.0}
    text = resources.files("aicity").joinpath("data", "taxonomy.csv").read_text("utf-8")
    frame = pd.read_csv(pd.io.common.StringIO(text))
    frame["weight"] = [5 if code == "large_models" else 1 for code in frame["code"]]
    path = tmp_path / "weighted.csv"
    frame.to_csv(path, index=False)
    weighted = targets(mixed_store, "杭州", top=3, taxonomy=path)
    assert weighted.weights_source == str(path)
    assert weighted.gaps[0].segment == "large_models"
    assert weighted.gaps[0].priority > weighted.gaps[1].priority
    frame.loc[0, "weight"] = -1
    frame.to_csv(path, index=False)
    with pytest.raises(ConfigError, match=r"weighted\.csv: row 2\.weight"):
        targets(mixed_store, "杭州", taxonomy=path)


def test_thin_segments_come_from_the_location_quotient(mixed_store):
    # Hangzhou: 1 of the registry's 4 computer-vision firms among 3 of its 12 firms, LQ 1.0: not thin
    assert "computer_vision" not in {
        g.segment for g in targets(mixed_store, "杭州", top=0, thin_lq=0.9).gaps
    }
    # Beijing: 1 of the 3 speech firms among 5 of the 12, LQ 0.8: thin below 1, not below the default 0.5
    beijing = {g.segment: g for g in targets(mixed_store, "北京", top=0, thin_lq=1.0).gaps}
    speech = beijing["speech"]
    assert speech.status == "thin" and speech.local == 1 and abs(speech.lq - 0.8) < 1e-9
    assert abs(speech.priority - 0.2) < 1e-9 and speech.label_en == "thin link"
    assert "speech" not in {g.segment for g in targets(mixed_store, "北京", top=0).gaps}
    with pytest.raises(ConfigError, match="--thin-lq"):
        targets(mixed_store, "杭州", thin_lq=0)
