"""The small example store of the explorer tests: 5 cities, 3 parks, 6 firms (one named like an XSS
payload), 3 indicators with sourced values, and one evaluation run built by the index engine."""

from __future__ import annotations

import pandas as pd

from aicity.store import Store

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
        "rd_intensity": [4.0, 4.4, 7.5, 3.5, 3.3],
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


FRAMEWORK = {
    "name": "web_test",
    "levels": ["indicator", "dimension", "index"],
    "unit_type": "city",
    "index": {"code": "AI", "name_zh": "人工智能指数", "name_en": "AI index"},
    "nodes": [
        {
            "code": "IND",
            "parent": "AI",
            "level": 2,
            "name_zh": "产业",
            "name_en": "Industry",
            "weight": 1,
        },
        {
            "code": "INN",
            "parent": "AI",
            "level": 2,
            "name_zh": "创新",
            "name_en": "Innovation",
            "weight": 1,
        },
        {
            "code": "ai_enterprises",
            "parent": "IND",
            "level": 1,
            "name_zh": "人工智能企业数量",
            "name_en": "AI enterprises",
            "weight": 1,
            "direction": 1,
        },
        {
            "code": "ai_parks",
            "parent": "IND",
            "level": 1,
            "name_zh": "人工智能园区数",
            "name_en": "AI parks",
            "weight": 1,
            "direction": 1,
        },
        {
            "code": "rd_intensity",
            "parent": "INN",
            "level": 1,
            "name_zh": "R&D经费投入强度",
            "name_en": "R&D intensity",
            "weight": 1,
            "direction": 1,
        },
    ],
}
RECIPE = {
    "steps": [
        {"impute": {"method": "mean"}},
        {"normalise": {"method": "minmax"}},
        {"aggregate": {"method": "arithmetic_mean"}},
    ]
}


def fill_run(store: Store) -> str:
    """One evaluation run over the core observations, built by the index engine and saved with
    ``aicity.store.runs.save_run`` (a fake rank interval of +-1 stands in for an uncertainty analysis)."""
    import yaml

    from aicity.index import Framework, Recipe, build
    from aicity.store import runs

    obs = store.fetch_df(
        "SELECT unit_key, indicator, value FROM observations WHERE unit_type = 'city'"
    )
    wide = obs.pivot_table(index="unit_key", columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(CITIES["code"])
    data = wide.rename_axis("uCode").reset_index()
    framework = Framework.from_yaml(FRAMEWORK, data=data)
    recipe = Recipe.from_dict(RECIPE)
    result = build(framework, recipe=recipe)
    raw = wide.stack(future_stack=True).rename("value").reset_index()
    raw.columns = ["unit_key", "code", "value"]
    raw.insert(0, "stage", "raw")
    scores = result.scores.stack().rename("score").reset_index()
    scores.columns = ["unit_key", "code", "score"]
    ranks = result.ranks.stack().rename("rank").reset_index()
    ranks.columns = ["unit_key", "code", "rank"]
    res = scores.merge(ranks, on=["unit_key", "code"])
    res["scheme"] = "default"
    res["level"] = [framework.level_of(c) for c in res["code"]]
    nodes = pd.DataFrame(
        [
            {
                "code": n["code"],
                "parent": n["parent"],
                "level": n["level"],
                "position": i,
                "name_zh": n["name_zh"],
                "name_en": n["name_en"],
                "unit": None,
                "direction": n.get("direction"),
                "weight": n["weight"],
                "effective_weight": None,
                "denominator": None,
                "definition": None,
            }
            for i, n in enumerate(
                [
                    {**FRAMEWORK["index"], "parent": None, "level": 3, "weight": 1},
                    *FRAMEWORK["nodes"],
                ]
            )
        ]
    )
    index_ranks = result.ranks["AI"]
    uncertainty = pd.concat(
        [
            pd.DataFrame(
                {
                    "unit_key": index_ranks.index,
                    "code": "AI",
                    "stat": "rank_q05",
                    "value": (index_ranks - 1).clip(lower=1).to_numpy(),
                }
            ),
            pd.DataFrame(
                {
                    "unit_key": index_ranks.index,
                    "code": "AI",
                    "stat": "rank_q95",
                    "value": (index_ranks + 1).clip(upper=len(index_ranks)).to_numpy(),
                }
            ),
        ]
    )
    cells = store.fetch_df(
        "SELECT unit_key, indicator, obs_id, year, value, unit, source_id FROM observations"
        " WHERE unit_type = 'city'"
    )
    cells["flags"] = ""
    grid = pd.MultiIndex.from_product(
        [CITIES["code"], framework.indicators], names=["unit_key", "indicator"]
    )
    cells = cells.set_index(["unit_key", "indicator"]).reindex(grid).reset_index()
    cells["flags"] = cells["flags"].fillna("missing imputed")
    units = CITIES.rename(columns={"code": "unit_key"})[
        ["unit_key", "name_zh", "name_en", "longitude", "latitude"]
    ].assign(unit_type="city")
    units["city_code"] = units["unit_key"]
    record = runs.RunRecord(
        run_id="run-web-1",
        framework_name="web_test",
        framework_yaml=yaml.safe_dump(FRAMEWORK),
        recipe_yaml=yaml.safe_dump(RECIPE),
        data_hash="test",
        version="test",
        unit_type="city",
        reference_year=2023,
        max_age=5,
        values=raw,
        cells=cells,
        results=res,
        nodes=nodes,
        units=units,
        uncertainty=uncertainty,
    )
    return runs.save_run(store, record)


def example_store(with_run: bool = True) -> Store:
    store = Store.memory()
    fill_core(store)
    if with_run:
        fill_run(store)
    return store
