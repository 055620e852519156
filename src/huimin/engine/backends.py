"""Connections to the engine's backends. DuckDB in-process by default; PySpark (extra ``huimin[spark]``) in local
mode or on a cluster named by configuration:

- ``HUIMIN_ENGINE_BACKEND``: ``duckdb`` (default) or ``pyspark``
- ``HUIMIN_SPARK_MASTER``: e.g. ``local[1]`` (default) or ``spark://host:7077``
- ``HUIMIN_SPARK_CONF``: extra Spark settings, ``key=value;key=value``
"""

import os

import ibis

BACKENDS = ("duckdb", "pyspark")


class EngineUnavailable(RuntimeError):
    pass


def default_backend() -> str:
    return os.environ.get("HUIMIN_ENGINE_BACKEND", "duckdb")


def spark_session(master: str | None = None, shuffle_partitions: int = 2):
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise EngineUnavailable("未安装 PySpark：请安装 huimin[spark]") from exc
    builder = (
        SparkSession.builder.appName("huimin-engine")
        .master(master or os.environ.get("HUIMIN_SPARK_MASTER", "local[1]"))
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("HUIMIN_SPARK_DRIVER_MEMORY", "1g"))
    )
    for item in filter(None, os.environ.get("HUIMIN_SPARK_CONF", "").split(";")):
        key, _, value = item.partition("=")
        builder = builder.config(key.strip(), value.strip())
    return builder.getOrCreate()


def connect(backend: str | None = None, *, threads: int | None = None):
    backend = backend or default_backend()
    if backend == "duckdb":
        con = ibis.duckdb.connect()
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        return con
    if backend == "pyspark":
        return ibis.pyspark.connect(spark_session())
    raise EngineUnavailable(f"未知的计算引擎 {backend}（可选：{'、'.join(BACKENDS)}）")
