"""Classify + inventory + map data on the bundled example's 77 real firms (and a few made-up ones)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import ConfigError, InputError
from aicity.store import Store
from aicity.store import classifications as scls
from aicity.store import inventory as sinv
from aicity.workflows import classification as wf_classify
from aicity.workflows import industry_map as wf_map
from aicity.workflows import inventory as wf
from aicity.workflows import models as wf_models
from aicity.workflows.ingest import ingest_file


def example_store(path: Path | None = None) -> Store:
    """Cities, parks and the 77 real firms of the bundled example (no facts: they are not needed)."""
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
def store():
    s = example_store()
    yield s
    s.close()


def test_real_firms_keep_their_labels_and_feed_the_indicators(store):
    result = wf_classify.classify(store)
    assert result.n_firms == 77 and result.n_labelled == 77 and result.n_classified == 77
    firms = scls.classifications(store, result.run_id)
    assert firms["method"].eq("input").all() and firms["confidence"].eq(1.0).all()
    inv = wf.inventory(store, year=2025)
    assert inv.classify_run_id == result.run_id and inv.n_firms == 77
    obs = sinv.derived_observations(store)
    # the bundled firms are a curated sample: every value counted over them says so
    assert obs["note"].eq(f"derived from inventory run {inv.run_id}{sinv.SAMPLE_PROVENANCE}").all()
    nation = obs[obs.unit_type == "nation"].set_index("indicator")["value"]
    assert nation["inv_firms_total"] == 77
    # the example's layer labels: 24 foundation, 25 technology, 28 application
    assert (
        nation["inv_firms_foundation"],
        nation["inv_firms_technology"],
        nation["inv_firms_application"],
    ) == (
        24,
        25,
        28,
    )
    beijing = obs[(obs.unit_type == "city") & (obs.unit_key == "110000")].set_index("indicator")[
        "value"
    ]
    labels = pd.read_csv(
        resources.files("aicity.data.example").joinpath("enterprises.csv").open(encoding="utf-8")
    )
    bj = labels[labels["city"] == "北京"]
    assert beijing["inv_firms_total"] == len(bj)
    assert beijing["inv_firms_seg_large_models"] == (bj["segment"] == "large_models").sum()
    registry = store.fetch_df("SELECT code, category FROM indicators WHERE code LIKE 'inv_%'")
    assert (
        set(obs["indicator"]) <= set(registry["code"])
        and registry["category"].eq("inventory").all()
    )


def test_a_second_run_keeps_the_first_as_history(store):
    first = wf.inventory(store, year=2025)
    second = wf.inventory(store, year=2025)
    current = sinv.derived_observations(store)
    assert current["note"].str.startswith(f"derived from inventory run {second.run_id};").all()
    old = sinv.derived_observations(store, run_id=first.run_id)
    assert len(old) == len(current)


def test_unlabelled_firms_are_classified_in_the_database(tmp_path: Path):
    store = example_store()
    store.execute(
        "INSERT INTO enterprises (enterprise_id, name, city_code, description, size, is_synthetic) VALUES "
        "('x1', '杭州某某机器人有限公司', '330100', '人形机器人研发；具身智能', 300, true), "
        "('x2', '杭州某某贸易有限公司', '330100', '日用百货销售', 5, true)"
    )
    result = wf_classify.classify(store)
    assert result.n_labelled == 77 and result.n_classified == 78
    cls = scls.classifications(store, result.run_id).set_index("enterprise_id")
    assert cls.loc["x1", "segment"] == "robotics" and cls.loc["x1", "method"] == "rules"
    assert "人形机器人" in cls.loc["x1", "explanation"]
    assert pd.isna(cls.loc["x2", "segment"])
    # x2 is unclassified: counted apart, in no layer, segment, anchor or total of AI firms;
    # so k = 1 sized AI firm (x1) -> threshold 300
    inv = wf.inventory(store, year=2025, anchor_share=1.0)
    assert inv.anchor_threshold == 300.0
    hz = sinv.derived_observations(store, unit_type="city", unit_key="330100").set_index(
        "indicator"
    )["value"]
    assert hz["inv_anchor_firms"] == 1 and hz["inv_firms_unclassified"] == 1
    assert hz["inv_firms_non_ai"] == 0
    assert hz["inv_firms_seg_robotics"] == 3  # Unitree and DEEP Robotics are in the example
    data = wf_map.industry_map_data(store, "杭州")
    assert data.has_synthetic and data.n_unclassified == 1
    store.close()


def test_learned_method_trains_saves_and_classifies(tmp_path: Path):
    store = example_store(tmp_path / "s.duckdb")
    labels = tmp_path / "labels.csv"
    from aicity.inventory.synth import SynthSpec, generate

    frame = next(generate(SynthSpec(rows=300, seed=4, chunk_rows=300))).to_pandas()
    frame[["name", "description", "true_segment"]].rename(
        columns={"true_segment": "segment"}
    ).to_csv(labels, index=False)
    trained = wf_models.train(store, labels)
    assert trained.version == 1 and trained.path.exists() and trained.n_train == 300
    # 77 firms in 5 folds: one firm is 1.3 points, and the folds follow the (derived) ids
    assert trained.metrics["cv_segment_accuracy"] >= 0.65
    store.execute(
        "INSERT INTO enterprises (enterprise_id, name, city_code, description, is_synthetic) VALUES "
        "('x1', '某某智能科技有限公司', '330100', '智能风控、反欺诈解决方案', true)"
    )
    result = wf_classify.classify(store, method="learned")
    assert result.model_version == 1
    cls = scls.classifications(store, result.run_id).set_index("enterprise_id")
    assert cls.loc["x1", "segment"] == "smart_finance" and cls.loc["x1", "method"] == "learned"
    assert cls.loc["baidu", "method"] == "input"  # labels in the input win
    ev = wf_models.evaluate_labels(labels, "learned", store)
    assert ev.circular  # trained on this very file: the result says so
    assert ev.evaluation.segment_accuracy > 0.9  # on its own training data: a wiring smoke check
    store.close()


def test_errors_say_what_to_do(tmp_path: Path):
    empty = Store.memory()
    with pytest.raises(InputError, match="no enterprises"):
        wf.inventory(empty)
    empty.execute("INSERT INTO enterprises (enterprise_id, name) VALUES ('a', '某公司')")
    with pytest.raises(ConfigError, match="no learned model with version 7"):
        wf_classify.classify(empty, method="learned", model_version=7)
    with pytest.raises(ConfigError, match="engine 'hive'"):
        wf.inventory(empty, engine="hive")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,segment\n某公司,chips\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2.*'chips' is not a taxonomy code"):
        wf_models.evaluate_labels(bad)
    nolabel = tmp_path / "nolabel.csv"
    nolabel.write_text("name,layer\n某公司,foundation\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected a 'segment' column"):
        wf_models.evaluate_labels(nolabel)


def test_labels_outside_the_taxonomy_stop_classification(tmp_path: Path):
    store = Store.memory()
    store.execute(
        "INSERT INTO enterprises (enterprise_id, name, segment) VALUES ('a', 'x', 'quantum')"
    )
    small = tmp_path / "t.yaml"
    small.write_text(
        "segments:\n"
        "  - {code: chips, layer: foundation, name_zh: 芯片, name_en: chips, keywords_zh: [芯片]}\n"
        "  - {code: models, layer: technology, name_zh: 大模型, name_en: models, keywords_zh: [大模型]}\n"
        "  - {code: robots, layer: application, name_zh: 机器人, name_en: robots, keywords_zh: [机器人]}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match=r"segment labels \['quantum'\] that taxonomy .*t.yaml lacks"
    ):
        wf_classify.classify(store, taxonomy_path=small)
    assert sinv.latest_run(store, "classify") is None  # nothing half-written


def test_non_ai_and_unclassified_firms_are_counted_apart(tmp_path: Path):
    store = Store.open(tmp_path / "s.duckdb")
    store.execute(
        "INSERT INTO cities (code, name_zh, name_en) VALUES ('330100', '杭州市', 'Hangzhou')"
        " ON CONFLICT DO NOTHING"
    )
    store.execute(
        "INSERT INTO enterprises (enterprise_id, name, city_code, description, size) VALUES "
        "('chip', '杭州某某微电子有限公司', '330100', '专注于高性能AI芯片和GPU的设计与研发', 10), "
        "('park', '杭州某某地产集团', '330100', "
        "'房地产开发、商业地产运营与产业园区招商，开发运营人工智能产业园', 900)"
    )
    result = wf_classify.classify(store, method="learned")  # no trained model: the bundled one
    assert result.model.startswith("bundled, trained on firms_labelled.csv sha256 ")
    assert result.n_non_ai == 1
    # the shipped model, or one retrained once per user: never trained beside each store (#18)
    assert not (tmp_path / "s.duckdb.models").exists()
    cls = scls.classifications(store, result.run_id).set_index("enterprise_id")
    assert cls.loc["park", "outcome"] == "non_ai" and pd.isna(cls.loc["park", "layer"])
    assert cls.loc["chip", "segment"] == "ai_chips"
    inv = wf.inventory(store, year=2025, anchor_share=1.0)
    assert (inv.n_ai, inv.n_non_ai, inv.n_unclassified) == (1, 1, 0)
    hz = sinv.derived_observations(store, unit_type="city", unit_key="330100").set_index(
        "indicator"
    )["value"]
    assert hz["inv_firms_total"] == 1 and hz["inv_firms_non_ai"] == 1
    assert hz["inv_firms_foundation"] == 1 and hz["inv_firms_application"] == 0
    assert hz["inv_anchor_firms"] == 1  # the developer's size does not set the anchor cut
    store.close()
