"""Benchmark: the batch 核对 and a full monitoring run on a real standalone Spark cluster, beside DuckDB.

The scenario starts a Spark master and one worker on this machine (they ship with pyspark:
``spark-class org.apache.spark.deploy.master.Master`` and ``…worker.Worker``), points the engine at the master's
``spark://127.0.0.1:<port>`` URL (``HUIMIN_SPARK_MASTER``, as a province would point it at its cluster), runs

- the 核对 rules of ``huimin.engine.verification`` for every household, and
- every warning rule of ``huimin.monitoring.defaults`` over the whole population (``huimin.engine.monitoring``)

on the same synthetic Parquet inputs (``huimin.engine.synthetic``) on both backends, and requires the results to be
identical row for row. Both run on the same 2 cores: Spark's time here is its overhead (JVM, scheduling, shuffles
through local disk), not what a cluster would give; docs/scale-out.md says what a cluster changes.

Sizes: ``small`` = 20,000 persons / 200,000 records; ``full`` = 1,000,000 persons / 10,000,000 records.
"""

import contextlib
import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

SIZES = {"small": (20_000, 200_000), "full": (1_000_000, 10_000_000)}
CATEGORIES = ("dibao", "tekun", "registered", "disability_living", "severe_care", "dibao", "registered")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


@contextlib.contextmanager
def standalone_cluster(workdir: Path, cores: int = 2, memory: str = "4g"):
    """A Spark master and one worker as child processes; yields the master URL, stops both on exit."""
    home = _spark_home()
    env = dict(os.environ, SPARK_HOME=str(home), SPARK_LOG_DIR=str(workdir / "logs"),
               SPARK_WORKER_DIR=str(workdir / "work"), SPARK_LOCAL_DIRS=str(workdir / "tmp"))  # fmt: skip
    for d in ("logs", "work", "tmp"):
        (workdir / d).mkdir(parents=True, exist_ok=True)
    port, ui = _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    spark_class = str(home / "bin" / "spark-class")
    master_log = (workdir / "logs" / "master.out").open("w")
    worker_log = (workdir / "logs" / "worker.out").open("w")
    master = subprocess.Popen(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
         "--webui-port", str(ui)], env=env, stdout=master_log, stderr=subprocess.STDOUT)  # fmt: skip
    worker = None
    try:
        _wait_for(lambda: "Master: I have been elected leader" in (workdir / "logs" / "master.out").read_text(), 120)
        worker = subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", str(cores),
             "--memory", memory, "--webui-port", str(_free_port())], env=env, stdout=worker_log,
            stderr=subprocess.STDOUT)  # fmt: skip
        _wait_for(lambda: "Registering worker" in (workdir / "logs" / "master.out").read_text(), 120)
        yield url
    finally:
        for process in (worker, master):
            if process is not None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)
                if process.poll() is None:
                    process.kill()
        master_log.close()
        worker_log.close()


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if condition():
                return
        time.sleep(0.5)
    raise TimeoutError(f"Spark 集群未在 {seconds:.0f} 秒内就绪")


def population(paths):
    """Every synthetic person watched under a category (vectorised), one in fifty listed twice."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from huimin.monitoring.population import SCHEMA

    persons = pq.read_table(paths["persons"], columns=["person_key", "person_id", "household_id", "disability_grade"])
    households = pq.read_table(paths["households"], columns=["household_id", "region_code"])
    pid = persons["person_id"].to_numpy()
    hh = persons["household_id"].to_numpy()
    region = np.asarray(households["region_code"].to_numpy(zero_copy_only=False))[hh]
    category = np.array(CATEGORIES)[pid % len(CATEGORIES)]
    programme = np.where(category == "tekun", "tekun_central", np.where(category == "dibao", "dibao_urban", category))
    base = pa.table({
        "person_key": persons["person_key"], "canonical_key": persons["person_key"], "person_id": persons["person_id"],
        "household_id": persons["household_id"], "category": pa.array(category), "region_code": pa.array(region),
        "standard_fen": pa.array(np.where(pid % 3 == 0, 20000, 60000).astype("int64")),
        "members": pa.array(np.bincount(hh)[hh].astype("int64")),
        "disability_grade": persons["disability_grade"], "programme": pa.array(programme),
    }, schema=SCHEMA)  # fmt: skip
    twice = base.filter(pa.array(pid % 50 == 0))
    twice = twice.set_column(3, "household_id", pa.array(twice["household_id"].to_numpy() + 1))
    twice = twice.set_column(4, "category", pa.array(["tekun"] * twice.num_rows))
    twice = twice.set_column(9, "programme", pa.array(["tekun_central"] * twice.num_rows))
    return pa.concat_tables([base, twice])


def _bind(con, paths, persons, thresholds):
    from huimin.engine import tables

    return tables.load(con, persons=persons, households=str(paths["households"]), thresholds=thresholds,
                       sources={code: str(p) for code, p in paths["sources"].items()})  # fmt: skip


def verification_rows(con, paths, thresholds, as_of) -> list[dict]:
    from huimin.engine import verification as engine

    t = _bind(con, paths, str(paths["persons"]), thresholds)
    rows = con.to_pyarrow(engine.evaluate(t, "dibao", as_of).select(*engine.COLUMNS)).to_pylist()
    return sorted(rows, key=lambda r: r["household_id"])


def monitoring_facts(con, paths, pop_path, thresholds, as_of) -> dict[str, list[tuple]]:
    from huimin.engine import monitoring as engine
    from huimin.monitoring.defaults import RULES

    t = _bind(con, paths, str(pop_path), thresholds)
    out = {}
    for rule in RULES:
        table = con.to_pyarrow(engine.evaluate(t, t.persons, rule["kind"], rule["params"], as_of))
        rows = table.select(list(engine.FACT_COLUMNS)).to_pylist()
        out[rule["code"]] = sorted(tuple(str(r[c]) for c in engine.FACT_COLUMNS) for r in rows)
    return out


def _progress(timings: dict) -> None:
    """The phases done so far, on stderr: a full-size run on 2 cores is long, and a stopped one still tells."""
    print({k: round(v, 1) for k, v in timings.items()}, file=sys.stderr, flush=True)


def run(size: str, workdir: Path) -> dict:
    import pyarrow.parquet as pq

    from huimin.engine import backends, synthetic

    persons, records = SIZES[size]
    workdir = Path(workdir)
    started = time.perf_counter()
    paths = synthetic.generate(workdir / "inputs", persons=persons, records=records, seed=11)
    pop_path = workdir / "inputs" / "population.parquet"
    pq.write_table(population(paths), pop_path)
    generate_s = time.perf_counter() - started
    thresholds, as_of = synthetic.thresholds("dibao"), synthetic.AS_OF

    timings = {}
    started = time.perf_counter()
    duck = backends.connect("duckdb")
    duck_verification = verification_rows(duck, paths, thresholds, as_of)
    timings["verification_duckdb"] = time.perf_counter() - started
    started = time.perf_counter()
    duck_monitoring = monitoring_facts(duck, paths, pop_path, thresholds, as_of)
    timings["monitoring_duckdb"] = time.perf_counter() - started
    _progress(timings)

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this interpreter, if any Python runs there
    os.environ.setdefault("HUIMIN_SPARK_CONF", "spark.executor.memory=3g")
    with standalone_cluster(workdir / "cluster") as url:
        started = time.perf_counter()
        session = backends.spark_session(master=url, shuffle_partitions=8)
        import ibis

        spark = ibis.pyspark.connect(session)
        timings["spark_session_start"] = time.perf_counter() - started
        started = time.perf_counter()
        spark_verification = verification_rows(spark, paths, thresholds, as_of)
        timings["verification_spark_cluster"] = time.perf_counter() - started
        _progress(timings)
        started = time.perf_counter()
        spark_monitoring = monitoring_facts(spark, paths, pop_path, thresholds, as_of)
        timings["monitoring_spark_cluster"] = time.perf_counter() - started
        _progress(timings)
        executors = session.sparkContext.getConf().get("spark.master")
        session.stop()

    verification_same = spark_verification == duck_verification
    monitoring_same = spark_monitoring == duck_monitoring
    facts = sum(len(v) for v in duck_monitoring.values())
    return {
        "scenario": "spark",
        "sizes": {
            "persons": persons,
            "records": paths["counts"]["records"],
            "households": len(duck_verification),
            "monitoring_facts": facts,
        },  # fmt: skip
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "ratios": {
            "verification_spark_vs_duckdb": round(
                timings["verification_spark_cluster"] / timings["verification_duckdb"], 2
            ),
            "monitoring_spark_vs_duckdb": round(timings["monitoring_spark_cluster"] / timings["monitoring_duckdb"], 2),
        },
        "peak_memory_mb": None,
        "targets": {"verification_identical_row_for_row": verification_same, "monitoring_identical": monitoring_same},
        "notes": [
            f"ran on {executors}: a standalone master and one worker (2 cores, 4 GB) started by the scenario",
            f"inputs generated in {generate_s:.1f} s (not timed); {datetime.date.today().isoformat()}",
            "DuckDB and Spark share the same 2 cores: Spark's time is its overhead on one machine; on a cluster the "
            "rules' scans and joins spread over the executors (docs/scale-out.md)",
            "peak memory is the driver process's; the JVMs of the master, worker and executor are not counted",
        ],
    }
