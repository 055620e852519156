"""Connections to the engine's backends. DuckDB in-process by default; PySpark (extra ``huimin[spark]``) in local
mode or on a cluster named by configuration:

- ``HUIMIN_ENGINE_BACKEND``: ``duckdb`` (default) or ``pyspark``
- ``HUIMIN_SPARK_MASTER``: e.g. ``local[1]`` (default) or ``spark://host:7077``
- ``HUIMIN_SPARK_CONF``: extra Spark settings, ``key=value;key=value``
- ``HUIMIN_ENGINE_MEMORY_LIMIT``: the most memory DuckDB may use, e.g. ``8GB`` (default), ``512MB``
- ``HUIMIN_ENGINE_TEMP_DIR``: where DuckDB spills what does not fit (default ``$HUIMIN_VAR_DIR/engine/tmp``)
"""

import os
import re
from pathlib import Path

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


MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)


def _setting(name: str, default):
    from django.conf import settings

    if settings.configured and hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name, default)


def memory_limit() -> str:
    """DuckDB's ``memory_limit`` from HUIMIN_ENGINE_MEMORY_LIMIT, checked (it is formatted into SQL)."""
    value = str(_setting("HUIMIN_ENGINE_MEMORY_LIMIT", "8GB"))
    match = MEMORY.match(value)
    if not match:
        raise EngineUnavailable(f"HUIMIN_ENGINE_MEMORY_LIMIT 的值“{value}”无效：应为数字加单位，例如 8GB、512MB")
    return f"{match.group(1)}{match.group(2).upper()}"


def temp_dir() -> Path:
    default = Path(os.environ.get("HUIMIN_VAR_DIR", Path.cwd() / "var")) / "engine" / "tmp"
    return Path(_setting("HUIMIN_ENGINE_TEMP_DIR", default))


def connect(backend: str | None = None, *, threads: int | None = None):
    backend = backend or default_backend()
    if backend == "duckdb":
        limit = memory_limit()
        spill = temp_dir()
        spill.mkdir(parents=True, exist_ok=True)
        con = ibis.duckdb.connect()
        # Out of core: past the limit, joins, aggregations and sorts spill to the temporary directory
        con.raw_sql(f"SET memory_limit = '{limit}'")
        con.raw_sql("SET temp_directory = '" + str(spill).replace("'", "''") + "'")
        con.raw_sql("SET enable_progress_bar = false")
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        return con
    if backend == "pyspark":
        return ibis.pyspark.connect(spark_session())
    raise EngineUnavailable(f"未知的计算引擎 {backend}（可选：{'、'.join(BACKENDS)}）")
