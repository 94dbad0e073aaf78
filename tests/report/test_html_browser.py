"""The HTML report opened in a real browser (Debian chromium): charts draw, nothing is fetched from outside."""

from __future__ import annotations

import shutil

import pytest

from aicity.report.render import write_html

pytestmark = pytest.mark.browser


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed")
def test_html_report_renders_offline_in_chromium(report_data, tmp_path):
    from playwright.sync_api import sync_playwright

    index = write_html(report_data, tmp_path / "html", "zh")
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page()
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url)
                    if not r.url.startswith(("file:", "data:", "about:", "blob:"))
                    else None
                ),
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(index.as_uri())
            page.wait_for_selector("#china-map .main-svg", timeout=30_000)
            page.wait_for_selector("#bar-overall .main-svg", timeout=30_000)
            bars = page.locator("#bar-overall .bars .point").count()
        finally:
            browser.close()
    assert outside == [] and errors == []
    assert bars == len(report_data.run.units)
