"""The batch engine: computations written once as Ibis expressions, run on DuckDB (default) or PySpark.

The engine reads Parquet snapshots — the operational tables exported by ``huimin.engine.export`` and the
departmental snapshots written at ingestion — keyed by ``person_key`` (the ID-number blind index); it never sees a
plaintext ID number.
"""
