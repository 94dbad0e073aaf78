"""Fixtures of the report tests: a stored run and its ReportData."""

from __future__ import annotations

import pandas as pd
import pytest
from eval_run_factory import SOURCES, make_run

from aicity.store import Store
from aicity.store.runs import load_run, save_run


@pytest.fixture()
def run_store() -> Store:
    store = Store.memory()
    save_run(store, make_run())
    return store


@pytest.fixture()
def report_data(run_store):
    from aicity.profiles import build_profiles
    from aicity.report.model import ReportData

    run = load_run(run_store, "run-test")
    firms = pd.DataFrame(
        {
            "name": ["智谱", "百度", "寒武纪", "商汤", "依图", "海康"],
            "city_code": ["110000"] * 3 + ["310000"] * 3,
            "park_id": [None] * 6,
            "layer": [
                "technology",
                "technology",
                "foundation",
                "technology",
                "application",
                "application",
            ],
            "segment": [
                "large_models",
                "large_models",
                "ai_chips",
                "computer_vision",
                "smart_security",
                "smart_security",
            ],
        }
    )
    parks = pd.DataFrame(
        {
            "park_id": ["bj-1"],
            "city_code": ["110000"],
            "name_zh": ["中关村壹号"],
            "name_en": ["Zhongguancun No.1"],
            "district": ["海淀区"],
            "focus": ["AI"],
            "opened": [None],
            "firms": [132],
            "firms_text": ["132 (2022)"],
        }
    )
    profiles = build_profiles(run, enterprises=firms, parks=parks)
    external = pd.DataFrame(
        {
            "ranking": ["rank_idc_inspur_ai_city"] * 4,
            "year": [2021] * 4,
            "unit_key": ["110000", "330100", "440300", "310000"],
            "rank": [1, 2, 3, 5],
        }
    )
    return ReportData(
        run=run,
        profiles=profiles,
        sources=SOURCES,
        external_rankings=external,
        segment_names={"large_models": ("technology", "大模型", "Large models")},
    )
