"""City canonicalisation from cpca's admin codes."""

from __future__ import annotations

import pandas as pd
import pytest

from aicity.io.cities import CityResolver, default_resolver, is_nation


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("北京", "110000"),
        ("北京市", "110000"),
        ("Beijing", "110000"),
        ("110000", "110000"),
        ("110108", "110000"),
        ("110108000000", "110000"),
        ("杭州", "330100"),
        ("Hangzhou City", "330100"),
        ("Xi'an", "610100"),
        ("Harbin", "230100"),
        ("重庆", "500000"),
        ("Chongqing", "500000"),
        ("110000.0", "110000"),
        ("  深圳 ", "440300"),
    ],
)
def test_resolves_names_codes_and_english(text: str, code: str) -> None:
    assert default_resolver().resolve_one(text) == (code, None)


def test_unknown_and_ambiguous_are_refused_with_reasons() -> None:
    resolver = default_resolver()
    assert resolver.resolve_one("Atlantis")[1].startswith("unknown city 'Atlantis'")
    assert "unknown admin code" in resolver.resolve_one("999999")[1]
    code, reason = resolver.resolve_one("Suzhou")
    assert code is None and "苏州市/宿州市" in reason


def test_known_cities_take_priority() -> None:
    known = pd.DataFrame({"code": ["320500"], "name_zh": ["苏州"], "name_en": ["Suzhou"]})
    assert CityResolver(known).resolve_one("Suzhou") == ("320500", None)


def test_vectorised_resolve_and_city_record() -> None:
    codes, reasons = default_resolver().resolve(pd.Series(["北京", "x", None, "Beijing"]))
    assert codes.tolist()[0] == "110000" and codes.tolist()[3] == "110000"
    assert pd.isna(codes[1]) and reasons[2] == "missing city"
    city = default_resolver().city("330100")
    assert city.province == "浙江省" and city.name_en == "Hangzhou" and 119 < city.longitude < 121


def test_nation_names() -> None:
    assert is_nation("全国") and is_nation("China") and not is_nation("北京")
