"""Outlet types are graded from the outlet behind a URL (the register), not from the domain suffix."""

from __future__ import annotations

import csv
from importlib import resources
from urllib.parse import urlsplit

import pytest

from aicity.io.outlets import OUTLET_TYPES, _registry, grade


def test_the_longest_registered_host_wins():
    assert grade("http://big5.www.gov.cn/gate/big5/a.htm").outlet_type == "official_repost"
    assert grade("https://www.gov.cn/zhengce/a.htm").outlet_type == "official_site"
    assert grade("https://kjj.nanjing.gov.cn/x.html").host == "kjj.nanjing.gov.cn"
    # a label boundary: a registered host is not matched inside another label
    assert grade("https://notpeople.com.cn/a").host != "people.com.cn"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://223.94.76.10/page.html", "content_farm"),  # a bare IP address
        ("http://unregistered.example:8080/a", "content_farm"),  # a non-standard port
        ("https://unregistered.example/a", "unknown"),  # never guessed from the suffix
        ("https://some-bureau.unregistered.gov.cn/a", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_unregistered_hosts_are_not_graded_by_suffix(url, expected):
    assert grade(url).outlet_type == expected


def test_the_register_is_well_formed():
    rows = _registry()
    assert len(rows) >= 200
    assert {kind for kind, _, _ in rows.values()} <= set(OUTLET_TYPES)
    assert all(reason for _, _, reason in rows.values())


def test_every_source_of_the_bundled_example_is_graded():
    example = resources.files("aicity.data.example")
    ungraded = set()
    for name in (
        "observations_cities.csv",
        "observations_panel.csv",
        "observations_designations.csv",
        "parks.csv",
        "enterprises.csv",
    ):
        text = example.joinpath(name).read_text(encoding="utf-8")
        for row in csv.DictReader(text.splitlines()):
            url = (row.get("source_url") or "").strip()
            if url and "not in the project's register" in grade(url).reason:
                ungraded.add(urlsplit(url).hostname)
    assert not ungraded, sorted(ungraded)
