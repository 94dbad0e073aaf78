"""Ibis backends for the derivation: DuckDB (default, on the store's connection) or PySpark.

PySpark is an extra (``pip install aicity[spark]``, Java 17). Local mode is tuned for a small machine:
``local[2]``, UI off, 4 shuffle partitions, the warehouse in a temp dir (Ibis would otherwise leave
``./spark-warehouse`` behind and the next run would fail), ``SPARK_LOCAL_IP=127.0.0.1``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import ibis

from aicity.errors import ConfigError

ENGINES = ("duckdb", "spark")


def duckdb_backend(connection: Any | None = None) -> Any:
    """An Ibis DuckDB backend; on ``connection`` (the store's) when given, else in memory."""
    if connection is None:
        # a DuckDB setting, not a SET statement: SQL stays in the store
        return ibis.duckdb.connect(autoinstall_known_extensions=False)
    return ibis.duckdb.from_connection(connection)


def spark_session(master: str = "local[2]", app_name: str = "aicity-inventory") -> Any:
    """A SparkSession for ``master`` (``local[2]`` or a cluster URL such as ``spark://host:7077``)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "the spark engine needs PySpark: pip install 'aicity[spark]' (and Java 17)",
            path="--engine spark",
        ) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ConfigError(
            "the spark engine needs Java 17 on PATH or JAVA_HOME (e.g. apt-get install openjdk-17-jre-headless)",
            path="--engine spark",
        )
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    warehouse = tempfile.mkdtemp(prefix="aicity-spark-warehouse-")
    return (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def spark_backend(session: Any) -> Any:
    """An Ibis PySpark backend on ``session``."""
    return ibis.pyspark.connect(session)
