"""City canonicalisation: any of 北京 / 北京市 / Beijing / 110000 / 110108 -> the 6-digit city code.

Reference data is cpca's bundled ``adcodes.csv`` (GB/T 2260 codes with coordinates). Municipalities
(北京, 天津, 上海, 重庆) are keyed by their province-level code (110000), other cities by their
prefecture code (330100). English names are matched by toneless pinyin; a pinyin shared by two cities
(泰州 / 台州 both "taizhou") is ambiguous and is refused rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd

from aicity.io._arrow import take_strings

MUNICIPALITIES = {"11", "12", "31", "50"}
NATION_NAMES = {"全国", "中国", "china", "national", "nation", "cn", "100000"}
_SUFFIXES = ("特别行政区", "自治州", "地区", "市", "盟")
_SPACE = re.compile(r"[\s'’\-_.]+")
_ENGLISH_NOISE = re.compile(r"\b(city|shi|municipality)\b")
# English names that are not plain pinyin of the short Chinese name
EXONYMS = {"harbin": "230100", "hohhot": "150100", "urumqi": "650100", "lhasa": "540100"}


@dataclass(frozen=True)
class City:
    code: str
    name_zh: str
    short_zh: str
    name_en: str
    province: str
    longitude: float | None
    latitude: float | None


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


@lru_cache(maxsize=1)
def _bundled_english() -> dict[str, str]:
    """Toneless pinyin names generated once with pypinyin (city_names_en.csv): no import at run time."""
    path = Path(__file__).with_name("city_names_en.csv")
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str)
    return dict(zip(table["code"], table["name_en"], strict=True))


def _english_key(text: str) -> str:
    lowered = _ENGLISH_NOISE.sub("", text.strip().lower())
    return _SPACE.sub("", lowered)


@lru_cache(maxsize=1)
def _admin_table() -> pd.DataFrame:
    # locate the file without importing cpca (its import builds a large matcher we do not need)
    spec = find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("cpca is not installed (it provides the admin-code reference data)")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    table = pd.read_csv(path, dtype={"adcode": str})
    table["code6"] = table["adcode"].str[:6]
    return table


class CityResolver:
    """Maps free-form city references to 6-digit codes. Build once, reuse (``default_resolver()``)."""

    def __init__(self, known: pd.DataFrame | None = None) -> None:
        """``known``: a cities frame (code, name_zh, name_en) whose names take priority, e.g. the store's."""
        table = _admin_table()
        provinces = {
            row.code6[:2]: row.name
            for row in table.itertuples()
            if row.code6.endswith("0000") and row.adcode.endswith("000000")
        }
        english_names = _bundled_english()
        self.cities: dict[str, City] = {}
        for row in table.itertuples():
            code = row.code6
            if row.adcode[6:] != "000000":
                continue
            is_city = code[2:4] != "00" and code[4:6] == "00" and code[:2] not in MUNICIPALITIES
            is_municipality = code[:2] in MUNICIPALITIES and code[2:] == "0000"
            if not (is_city or is_municipality) or row.name in (
                "市辖区",
                "县",
                "省直辖县级行政区划",
            ):
                continue
            short = _short(row.name)
            self.cities[code] = City(
                code=code,
                name_zh=row.name,
                short_zh=short,
                name_en=english_names.get(code) or _pinyin(short).capitalize(),
                province=provinces.get(code[:2], ""),
                longitude=None if pd.isna(row.longitude) else float(row.longitude),
                latitude=None if pd.isna(row.latitude) else float(row.latitude),
            )
        self._by_name: dict[str, str] = {}
        english: dict[str, set[str]] = {}
        for city in self.cities.values():
            self._by_name[city.name_zh] = city.code
            self._by_name.setdefault(city.short_zh, city.code)
            english.setdefault(_english_key(city.name_en), set()).add(city.code)
        self._by_english = {k: next(iter(v)) for k, v in english.items() if len(v) == 1}
        self._by_english.update(EXONYMS)
        self._ambiguous_english = {k: sorted(v) for k, v in english.items() if len(v) > 1}
        # district/county codes resolve to the city that contains them
        self._district_city: dict[str, str] = {}
        for code6 in table["code6"].unique():
            parent = code6[:2] + "0000" if code6[:2] in MUNICIPALITIES else code6[:4] + "00"
            if parent in self.cities:
                self._district_city[code6] = parent
        if known is not None:
            for row in known.itertuples():
                self._district_city.setdefault(str(row.code), str(row.code))
                if isinstance(row.name_zh, str) and row.name_zh:
                    self._by_name[row.name_zh] = str(row.code)
                    self._by_name[_short(row.name_zh)] = str(row.code)
                if isinstance(row.name_en, str) and row.name_en:
                    key = _english_key(row.name_en)
                    self._by_english[key] = str(row.code)
                    self._ambiguous_english.pop(key, None)

    def resolve_one(self, value: object) -> tuple[str | None, str | None]:
        """Return (code, None) or (None, reason) for one reference."""
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None, "missing city"
        text = str(value).strip()
        if not text:
            return None, "missing city"
        digits = text[:-2] if text.endswith(".0") else text
        if digits.isdigit():
            if len(digits) in (6, 9, 12):
                code = self._district_city.get(digits[:6])
                if code:
                    return code, None
            return None, f"unknown admin code {text!r} (expected a GB/T 2260 code such as 110000)"
        if text in self._by_name:
            return self._by_name[text], None
        short = _short(text)
        if short in self._by_name:
            return self._by_name[short], None
        key = _english_key(text)
        if key in self._by_english:
            return self._by_english[key], None
        if key in self._ambiguous_english:
            names = "/".join(self.cities[c].name_zh for c in self._ambiguous_english[key])
            return None, f"ambiguous city {text!r} ({names}; give the Chinese name or the code)"
        return (
            None,
            f"unknown city {text!r} (expected a name such as 北京, Beijing or a code such as 110000)",
        )

    def resolve(self, values: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Vectorised: resolve each distinct value once. Returns (codes, reasons); reason is NA if ok."""
        codes_idx, uniques = pd.factorize(values, use_na_sentinel=True)
        answers = [self.resolve_one(u) for u in uniques] + [(None, "missing city")]
        codes_idx = np.where(codes_idx < 0, len(uniques), codes_idx)
        codes = take_strings([a[0] for a in answers], codes_idx, values.index)
        reasons = take_strings([a[1] for a in answers], codes_idx, values.index)
        return codes, reasons

    def city(self, code: str) -> City | None:
        return self.cities.get(code)


@lru_cache(maxsize=1)
def default_resolver() -> CityResolver:
    return CityResolver()


def is_nation(value: object) -> bool:
    """True for references to the whole country (全国, China): national reference rows."""
    return isinstance(value, str) and value.strip().lower() in NATION_NAMES
