"""Fixtures of the inventory tests: one SparkSession for the whole run (it takes ~7 s to start)."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip(
        "pyspark", reason="the spark extra is not installed (pip install 'aicity[spark]')"
    )
    if shutil.which("java") is None:
        pytest.skip("Java 17 is not installed (needed by the spark engine)")
    from aicity.inventory.engines import spark_session

    session = spark_session("local[2]", app_name="aicity-tests")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
