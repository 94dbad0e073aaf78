"""A small, fully specified evaluation run (6 cities, 3 dimensions, 6 indicators) for report tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.store.runs import RunRecord

CITIES = [
    ("110000", "北京", "Beijing", 116.41, 39.90),
    ("310000", "上海", "Shanghai", 121.47, 31.23),
    ("440300", "深圳", "Shenzhen", 114.06, 22.54),
    ("330100", "杭州", "Hangzhou", 120.15, 30.27),
    ("510100", "成都", "Chengdu", 104.07, 30.57),
    ("230100", "哈尔滨", "Harbin", 126.53, 45.80),
]
INDICATORS = [
    ("univ", "TECH", "双一流高校数", "Double First-Class universities", "universities"),
    ("rd", "TECH", "R&D强度", "R&D intensity", "% of GDP"),
    ("firms", "CLUSTER", "AI企业数", "AI firms", "firms"),
    ("chain", "CLUSTER", "产业链完整度", "Chain completeness", "share"),
    ("gdp", "REGION", "地区生产总值", "GDP", "亿元"),
    ("pilot", "REGION", "先导区", "Pilot zone", "flag"),
]
DIMS = [
    ("TECH", "技术创新能力", "Technological innovation"),
    ("CLUSTER", "产业集群竞争力", "Cluster"),
    ("REGION", "区域支撑能力", "Regional support"),
]


def make_run(run_id: str = "run-test", seed: int = 0, with_uncertainty: bool = True) -> RunRecord:
    rng = np.random.default_rng(seed)
    keys = [c[0] for c in CITIES]
    nodes = [
        {
            "code": "AI20",
            "parent": None,
            "level": 3,
            "position": 0,
            "name_zh": "综合指数",
            "name_en": "Index",
            "unit": None,
            "direction": None,
            "weight": 1.0,
            "effective_weight": 1.0,
            "denominator": None,
            "definition": None,
        }
    ]
    for i, (code, zh, en) in enumerate(DIMS):
        nodes.append(
            {
                "code": code,
                "parent": "AI20",
                "level": 2,
                "position": i,
                "name_zh": zh,
                "name_en": en,
                "unit": None,
                "direction": None,
                "weight": 1.0,
                "effective_weight": 1 / 3,
                "denominator": None,
                "definition": None,
            }
        )
    for i, (code, parent, zh, en, unit) in enumerate(INDICATORS):
        nodes.append(
            {
                "code": code,
                "parent": parent,
                "level": 1,
                "position": i,
                "name_zh": zh,
                "name_en": en,
                "unit": unit,
                "direction": 1,
                "weight": 1.0,
                "effective_weight": 1 / 6,
                "denominator": None,
                "definition": f"{zh}的定义 =SUM(A1)",
            }
        )
    raw = pd.DataFrame(
        rng.uniform(1, 100, size=(6, 6)), index=keys, columns=[i[0] for i in INDICATORS]
    )
    raw.iloc[0] += 60  # Beijing leads
    norm = (raw - raw.min()) / (raw.max() - raw.min()) * 100
    dims = pd.DataFrame(
        {d: norm[[i[0] for i in INDICATORS if i[1] == d]].mean(axis=1) for d, _, _ in DIMS}
    )
    index = dims.mean(axis=1)
    results = []

    def add(scheme, frame_scores: pd.DataFrame, level: int):
        ranks = frame_scores.rank(ascending=False, method="min")
        for code in frame_scores.columns:
            for key in keys:
                results.append(
                    {
                        "scheme": scheme,
                        "unit_key": key,
                        "code": code,
                        "level": level,
                        "score": float(frame_scores.at[key, code]),
                        "rank": int(ranks.at[key, code]),
                    }
                )

    add("default", norm, 1)
    add("default", dims, 2)
    add("default", index.to_frame("AI20"), 3)
    alt = np.exp(np.log(dims.clip(lower=1)).mean(axis=1))
    add("geometric", alt.to_frame("AI20"), 3)
    units = pd.DataFrame(
        [
            {
                "unit_key": k,
                "unit_type": "city",
                "name_zh": zh,
                "name_en": en,
                "city_code": k,
                "longitude": lon,
                "latitude": lat,
            }
            for k, zh, en, lon, lat in CITIES
        ]
    )
    cells = []
    for key in keys:
        for j, (code, *_rest) in enumerate(INDICATORS):
            flags = ""
            if key == "230100" and code in ("rd", "firms"):
                flags = "missing imputed"
            elif key == "510100" and code == "gdp":
                flags = "stale estimate"
            cells.append(
                {
                    "unit_key": key,
                    "indicator": code,
                    "obs_id": None if "missing" in flags else j,
                    "year": None if "missing" in flags else 2023,
                    "value": float(raw.at[key, code]),
                    "unit": INDICATORS[j][4],
                    "source_id": None if "missing" in flags else 1 + j % 3,
                    "flags": flags,
                    # estimates are not real observations: shown, never scored as evidence
                    "real": flags == "",
                }
            )
    values = norm.stack().reset_index()
    values.columns = ["unit_key", "code", "value"]
    values.insert(0, "stage", "normalised")
    unc = []
    if with_uncertainty:
        ranks = index.rank(ascending=False, method="min")
        for key in keys:
            unc += [
                {
                    "unit_key": key,
                    "code": "AI20",
                    "stat": "rank_q05",
                    "value": max(1.0, ranks[key] - 1),
                },
                {
                    "unit_key": key,
                    "code": "AI20",
                    "stat": "rank_q95",
                    "value": min(6.0, ranks[key] + 1),
                },
                {
                    "unit_key": key,
                    "code": "AI20",
                    "stat": "rank_median",
                    "value": float(ranks[key]),
                },
                {"unit_key": key, "code": "AI20", "stat": "score_q05", "value": index[key] - 5},
                {"unit_key": key, "code": "AI20", "stat": "score_q95", "value": index[key] + 5},
            ]
        unc += [
            {"unit_key": None, "code": "TECH", "stat": "S1", "value": 0.2},
            {"unit_key": None, "code": "TECH", "stat": "ST", "value": 0.3},
        ]
    weights = pd.DataFrame(
        [{"scheme": "default", "code": n["code"], "weight": n["weight"]} for n in nodes]
    )
    return RunRecord(
        run_id=run_id,
        framework_name="test_fw",
        framework_yaml="name: test_fw",
        recipe_yaml=(
            "steps:\n- impute: {method: mean}\n- normalise: {method: minmax, lower: 0, upper: 100}\n"
            "- aggregate: {method: arithmetic_mean}\n"
        ),
        data_hash="abc123" * 5,
        version="0.1.0",
        unit_type="city",
        reference_year=2024,
        max_age=3,
        nodes=pd.DataFrame(nodes),
        units=units,
        cells=pd.DataFrame(cells),
        values=values,
        results=pd.DataFrame(results),
        weights=weights,
        flags=pd.DataFrame(columns=["unit_key", "code", "stage", "flag"]),
        uncertainty=pd.DataFrame(unc, columns=["unit_key", "code", "stat", "value"]),
    )


SOURCES = pd.DataFrame(
    {
        "source_id": [1, 2, 3],
        "url": ["https://example.gov.cn/a", '=HYPERLINK("http://evil")', "https://c.cn/x"],
        "publisher": ["统计局", "+media", "@blog"],
        "title": ["a", "b", "c"],
        "reliability": ["A", "B", "C"],
    }
)
