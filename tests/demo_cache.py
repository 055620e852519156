"""The demo city loaded once per test session, then put back in seconds.

``huimin.demo.loader.load`` builds a whole city through the real services (a minute for 500 persons on two cores);
a dozen fixtures need one. On PostgreSQL the first load with a given set of arguments keeps a copy of every table
(``COPY … TO``), of the sequences and of the files it wrote (``VAR_DIR``, ``MEDIA_ROOT``); a later identical load
from the same starting database truncates every table and copies them back instead (inside one transaction, so a
test's rollback or the transactional tests' flush undo it as they undo a real load). Paths of the first load's
directories in the data are rewritten to the test's own.

"Identical" is strict: the arguments, the loader's month counts (tests lower them), today's date, the directories
being set, and the row count of every table before the load (a test that added rows first gets a real load). The
loader's own tests of refusals (a second load, SQLite) reach the real function.
"""

import copy
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from huimin.demo import loader

_real_load = loader.load
_saved: dict[tuple, dict] = {}
_scratch = Path(tempfile.mkdtemp(prefix="huimin-demo-cache-"))


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'django_migrations'"
        " ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor, tables: list[str]) -> tuple:
    qn = connection.ops.quote_name
    # the names come from pg_tables and are quoted; the labels are parameters
    cursor.execute(" UNION ALL ".join(f"SELECT %s, count(*) FROM {qn(t)}" for t in tables), tables)  # noqa: S608
    return tuple(sorted(cursor.fetchall()))


def _dirs() -> list[str]:
    return [str(Path(settings.VAR_DIR).resolve()), str(Path(settings.MEDIA_ROOT).resolve())]


def _files(directories: list[str]) -> dict[Path, float]:
    """Every file below the directories with its modification time."""
    found = {}
    for directory in directories:
        for path in Path(directory).rglob("*") if Path(directory).is_dir() else ():
            if path.is_file():
                found[path] = path.stat().st_mtime_ns
    return found


def _key(args, kwargs, before) -> tuple:
    return (tuple(args), tuple(sorted(kwargs.items())), loader.PAYROLL_MONTHS, loader.STATS_MONTHS,
            timezone.localdate(), before)  # fmt: skip


def _dump(cursor, tables: list[str]) -> dict:
    qn = connection.ops.quote_name
    data = {}
    for table in tables:
        with cursor.cursor.copy(f"COPY {qn(table)} TO STDOUT") as copy_out:
            rows = b"".join(bytes(chunk) for chunk in copy_out)
        if rows:
            data[table] = rows
    cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences"
                   " WHERE schemaname = current_schema()")  # fmt: skip
    return {"tables": data, "sequences": cursor.fetchall()}


def _keep_files(slot: Path, dirs: list[str], before: dict[Path, float]) -> list[tuple[int, str, Path]]:
    """Copies of the files the load wrote: (which directory, the path below it, the copy)."""
    kept = []
    for path, mtime in _files(dirs).items():
        if before.get(path) == mtime:
            continue
        n = next(i for i, d in enumerate(dirs) if path.is_relative_to(d))
        copy_path = slot / str(len(kept))
        copy_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy_path)
        kept.append((n, str(path.relative_to(dirs[n])), copy_path))
    return kept


def _restore(cursor, tables: list[str], saved: dict) -> None:
    qn = connection.ops.quote_name
    now = _dirs()
    for n, below, copy_path in saved["files"]:
        target = Path(now[n]) / below
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(copy_path, target)
    moves = [(old.encode(), new.encode()) for old, new in zip(saved["dirs"], now, strict=True) if old != new]
    cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in tables)} CASCADE")
    # the copy is put back as it was: the triggers that derive rows (registry 0010's name pairs) stay off for it,
    # or they would write again what the copy holds
    cursor.execute("SET session_replication_role = replica")
    try:
        for table, rows in saved["dump"]["tables"].items():
            for old, new in moves:
                rows = rows.replace(old, new)
            with cursor.cursor.copy(f"COPY {qn(table)} FROM STDIN") as copy_in:
                copy_in.write(rows)
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")
    for sequence, last in saved["dump"]["sequences"]:
        cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last or 1, last is not None])


def load(persons, seed, *args, **kwargs):
    """``loader.load`` with the session's copy (see the module)."""
    if connection.vendor != "postgresql" or loader.already_loaded():
        return _real_load(persons, seed, *args, **kwargs)
    with connection.cursor() as cursor:
        tables = _tables(cursor)
        key = _key((persons, seed, *args), kwargs, _counts(cursor, tables))
    saved = _saved.get(key)
    if saved is None:
        dirs = _dirs()
        before = _files(dirs)
        result = _real_load(persons, seed, *args, **kwargs)
        with connection.cursor() as cursor:
            _saved[key] = {"result": copy.deepcopy(result), "dump": _dump(cursor, tables), "dirs": dirs,
                           "files": _keep_files(_scratch / str(len(_saved)), dirs, before)}  # fmt: skip
        return result
    with transaction.atomic(), connection.cursor() as cursor:
        _restore(cursor, tables, saved)
    return copy.deepcopy(saved["result"])
