"""Fixtures of the explorer tests: a small in-memory store (with a firm named like an XSS payload), the app
built on it, and an in-process client. Browser fixtures live in test_browser.py."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from aicity.store import Store
from aicity.web import WebSettings, create_app

XSS = "<script>alert(1)</script>"  # a firm and a park focus carry this text

CITIES = pd.DataFrame(
    [
        ("110000", "北京", "Beijing", "北京市", 116.40, 39.90),
        ("310000", "上海", "Shanghai", "上海市", 121.47, 31.23),
        ("440300", "深圳", "Shenzhen", "广东省", 114.06, 22.54),
        ("330100", "杭州", "Hangzhou", "浙江省", 120.16, 30.27),
        ("510100", "成都", "Chengdu", "四川省", 104.07, 30.57),
    ],
    columns=["code", "name_zh", "name_en", "province", "longitude", "latitude"],
)


def fill_core(store: Store) -> None:
    """Core tables: 5 cities, 3 parks, 6 firms (one named like a script tag), 3 indicators with values."""
    store.insert_df(
        "sources",
        pd.DataFrame(
            {
                "source_id": [1, 2, 3],
                "url": ["https://example.gov.cn/a", "https://example.com/b", "javascript:alert(2)"],
                "publisher": ["统计局", "媒体", "unknown"],
                "title": ["统计公报", "报道", "bad link"],
                "reliability": ["A", "B", "C"],
            }
        ),
    )
    store.insert_df("cities", CITIES)
    store.insert_df(
        "parks",
        pd.DataFrame(
            {
                "park_id": ["bj-zgc", "sh-zj", "sz-ns"],
                "city_code": ["110000", "310000", "440300"],
                "name_zh": ["中关村科学城", "张江人工智能岛", "南山智园"],
                "name_en": ["Zhongguancun Science City", "Zhangjiang AI Island", "Nanshan park"],
                "district": ["海淀区", "浦东新区", "南山区"],
                "focus": ["大模型", "AI R&D", XSS],
                "opened": [2019, 2018, None],
                "firms": [200, 90, None],
                "firms_text": ["200+", "~90 (2020)", None],
                "source_id": [1, 2, 2],
                "note": ["", "", ""],
            }
        ),
    )
    store.insert_df(
        "enterprises",
        pd.DataFrame(
            {
                "enterprise_id": ["baidu", "zhipu", "sensetime", "iflytek", "dji", "xss"],
                "name": [
                    "百度 Baidu",
                    "智谱 Zhipu AI",
                    "商汤 SenseTime",
                    "科大讯飞 iFlytek",
                    "大疆 DJI",
                    XSS,
                ],
                "city_code": ["110000", "110000", "310000", "330100", "440300", "440300"],
                "park_id": [None, "bj-zgc", "sh-zj", None, "sz-ns", "sz-ns"],
                "layer": [
                    "technology",
                    "technology",
                    "technology",
                    "application",
                    "application",
                    "foundation",
                ],
                "segment": [
                    "large_models",
                    "large_models",
                    "computer_vision",
                    "speech",
                    "drones",
                    "ai_chips",
                ],
                "founded": [2000, 2019, 2014, 1999, 2006, 2020],
                "description": [
                    "搜索 大模型",
                    "GLM 大模型",
                    "计算机视觉",
                    "语音识别",
                    "无人机",
                    "芯片",
                ],
                "source_id": [1, 2, 2, 1, 2, 3],
                "is_synthetic": [False, False, False, False, False, True],
            }
        ),
    )
    store.insert_df(
        "indicators",
        pd.DataFrame(
            {
                "code": ["ai_enterprises", "rd_intensity", "ai_parks"],
                "name_zh": ["人工智能企业数量", "R&D经费投入强度", "人工智能园区数"],
                "name_en": ["AI enterprises", "R&D intensity", "AI parks"],
                "unit": ["家", "%", "个"],
                "direction": [1, 1, 1],
                "category": ["industry", "innovation", "industry"],
            }
        ),
    )
    rows = []
    values = {
        "ai_enterprises": [1500, 1100, 900, 700, None],
        "rd_intensity": [6.7, 4.4, 5.8, 3.5, 3.3],
        "ai_parks": [5, 4, 3, 2, 1],
    }
    for indicator, column in values.items():
        for code, value in zip(CITIES["code"], column, strict=True):
            if value is not None:
                rows.append(
                    {
                        "unit_type": "city",
                        "unit_key": code,
                        "indicator": indicator,
                        "year": 2023,
                        "value": float(value),
                        "unit": "",
                        "kind": "actual",
                        "verified": code != "510100",
                        "source_id": 1 if indicator == "rd_intensity" else 2,
                    }
                )
    rows.append(
        {
            "unit_type": "park",
            "unit_key": "bj-zgc",
            "indicator": "ai_enterprises",
            "year": 2022,
            "value": 200.0,
            "unit": "家",
            "kind": "estimate",
            "verified": True,
            "source_id": 1,
        }
    )
    store.insert_df("observations", pd.DataFrame(rows))


@pytest.fixture(scope="session")
def core_store() -> Store:
    store = Store.memory()
    fill_core(store)
    return store


@pytest.fixture(scope="session")
def core_app(core_store: Store):
    return create_app(core_store, WebSettings())


@pytest.fixture()
def core_client(core_app) -> TestClient:
    return TestClient(core_app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def xss() -> str:
    return XSS
