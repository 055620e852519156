"""Fault injection shared by tests/security/test_faults.py, tests/monitoring/test_faults.py and the ``faults``
benchmark scenario: run code in a child Python process that pauses right after a given function has run (inside
the transaction that function writes in), check that the child's transaction holds a write lock on the table that
matters, SIGKILL it there and wait until PostgreSQL has rolled its transaction back.

The child connects to the database Django's default connection points at when ``child`` is called (the test
database in tests, ``DATABASE_URL``'s in the benchmark) and inherits the environment (``HUIMIN_VAR_DIR`` and its
keys among it)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "huimin-fault-child"

PAUSE = """
import importlib, sys, time

def pause_after(module, name):
    mod = importlib.import_module(module)
    original = getattr(mod, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        sys.stdout.write("PAUSED\\n")
        sys.stdout.flush()
        time.sleep(600)
        return result

    setattr(mod, name, paused)
"""


def db_url() -> str:
    """The URL of the database Django's default connection uses now."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def child(pause_at: str, code: str) -> subprocess.Popen:
    """Run ``code`` in a new Python process against the current database, under its own connection name; the
    function ``pause_at`` ("module:name") stops the child right after it has run."""
    env = {**os.environ, "DATABASE_URL": db_url(), "PGAPPNAME": APP_NAME, "DJANGO_SETTINGS_MODULE": "huimin.settings"}
    module, name = pause_at.split(":")
    script = f"import django\ndjango.setup()\n{PAUSE}\npause_after({module!r}, {name!r})\n{code}"
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", script], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def kill_while_writing(proc: subprocess.Popen, table: str | None, timeout: float = 120) -> None:
    """Wait until the child has paused inside its transaction, check that the transaction holds a write lock on
    ``table``, SIGKILL the child and wait until the server has noticed and rolled the transaction back."""
    said = []  # whatever the child prints before the pause (at full size the build printed to stdout first)
    for line in proc.stdout:
        if line.strip() == b"PAUSED":
            break
        said.append(line)
    else:
        proc.wait(timeout)
        out = b"".join(said).decode(errors="replace")[-500:]
        err = proc.stderr.read().decode(errors="replace")[-2000:]
        raise AssertionError(f"the child ended (rc {proc.returncode}) before the pause: {out} {err}")
    with psycopg.connect(db_url(), autocommit=True) as watch:
        writing = watch.execute(
            "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.application_name = %s AND l.relation = %s::regclass AND l.mode = 'RowExclusiveLock' "
            "AND a.xact_start IS NOT NULL",
            [APP_NAME, table],
        ).fetchone()
        debug = watch.execute(
            "SELECT l.relation::regclass::text, l.mode, a.state, a.xact_start IS NOT NULL FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = %s",
            [APP_NAME],
        ).fetchall()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert table is None or writing, f"the child paused outside a transaction writing {table}: {debug}"
        assert proc.returncode == -signal.SIGKILL
        deadline = time.monotonic() + timeout
        while watch.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]).fetchone():
            assert time.monotonic() < deadline, "the killed child's backend never went away"
            time.sleep(0.05)


def audit_ok() -> None:
    from huimin.core import audit

    result = audit.verify()
    assert result.ok, result.message()
