"""Formatting helpers of the report context."""

from __future__ import annotations

from aicity.report.formatting import fmt_value


def test_fmt_value_reads_units_in_the_report_language() -> None:
    assert fmt_value(34, "universities", "zh") == "34所"
    assert fmt_value(6.73, "% of GDP", "zh") == "6.73％（占GDP）"
    assert fmt_value(6.73, "% of GDP", "en") == "6.73 % of GDP"
    assert fmt_value(1234.5, "亿元", "zh") == "1,234.50亿元"
    assert fmt_value(5, "MW", "zh") == "5 MW"
    assert fmt_value(1, "flag", "zh") == "是"
    assert fmt_value(0.25, "share", "en") == "25%"
    assert fmt_value(None, "firms", "zh") == "–"
