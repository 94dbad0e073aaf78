"""SYNTHETIC data generator for the ingest benchmark: N fake enterprise rows, GB18030 (and UTF-8) CSV.

Every row is invented (names like 合成企业000123, random but valid credit codes, real city names picked
at random). Nothing here is a fact; the column ``is_synthetic`` says so in every row.

    python benchmarks/synthetic_enterprises.py 1000000 /tmp/ents   # writes ents.gb18030.csv, ents.utf8.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from aicity.io.credit import ALPHABET, WEIGHTS

CITIES = [
    "北京",
    "上海市",
    "Shenzhen",
    "330100",
    "广州",
    "成都市",
    "武汉",
    "Nanjing",
    "苏州",
    "合肥",
    "西安",
    "杭州市",
    "天津",
    "重庆",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "厦门",
    "沈阳",
    "大连",
    "哈尔滨",
]
SEGMENTS = [
    "large_models",
    "ai_chips",
    "computer_vision",
    "robotics",
    "speech",
    "smart_manufacturing",
    "",
    "",
    "",
]
SCOPES = [
    "人工智能基础软件开发；人工智能应用软件开发；",
    "集成电路设计；集成电路芯片及产品销售；",
    "智能机器人的研发；工业机器人制造；",
    "软件开发；信息系统集成服务；数据处理服务；",
]


def credit_codes(n: int, rng: np.random.Generator) -> np.ndarray:
    """n valid GB 32100 codes, built column-wise with numpy."""
    body = rng.integers(0, len(ALPHABET), size=(n, 17))
    body[:, 0] = 9  # '9' = registered by market regulation
    body[:, 1] = 1  # '1' = company
    check = (31 - (body @ WEIGHTS) % 31) % 31
    digits = np.concatenate([body, check[:, None]], axis=1)
    letters = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[digits]
    return letters.view("S18").ravel().astype(str)


def generate(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.char.zfill(np.arange(n).astype(str), 7)
    frame = pd.DataFrame(
        {
            "企业名称": np.char.add("合成企业", ids),
            "所在城市": np.array(CITIES)[rng.integers(0, len(CITIES), n)],
            "统一社会信用代码": credit_codes(n, rng),
            "细分领域": np.array(SEGMENTS)[rng.integers(0, len(SEGMENTS), n)],
            "成立年份": rng.integers(1990, 2025, n).astype(str),
            "注册资本（万元）": np.char.mod("%.1f", rng.gamma(2.0, 800.0, n).round(1)),
            "经营范围": np.array(SCOPES)[rng.integers(0, len(SCOPES), n)],
            "is_synthetic": "true",
        }
    )
    # a few bad rows, as real files have: unknown city, broken check digit, bad year
    bad = rng.choice(n, size=max(n // 10000, 3), replace=False)
    frame.loc[bad[0::3], "所在城市"] = "不存在市"
    frame.loc[bad[1::3], "统一社会信用代码"] = (
        frame.loc[bad[1::3], "统一社会信用代码"].str[:17] + "0"
    )
    frame.loc[bad[2::3], "成立年份"] = "19x0"
    return frame


def write(n: int, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    frame = generate(n)
    text = frame.to_csv(index=False)
    gb = folder / f"enterprises_{n}.gb18030.csv"
    utf8 = folder / f"enterprises_{n}.utf8.csv"
    gb.write_bytes(text.encode("gb18030"))
    utf8.write_bytes(text.encode("utf-8"))
    return gb, utf8


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(*write(count, Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/aicity-bench")))
