"""Locks that make a check and the write it guards one step across processes: PostgreSQL's transaction-scoped
advisory locks (``pg_advisory_xact_lock(space, hashtext(key))``), held from the call to the end of the caller's
transaction, so a second caller with the same key waits until the first has committed (or rolled back) and then
reads what it wrote — under READ COMMITTED, Django's default, each later statement sees the other's commit.

Without PostgreSQL (SQLite: the demo) nothing is taken: SQLite lets one writer in at a time, and a transaction
opened by ``transaction.atomic()`` is that writer from its start (settings: ``transaction_mode`` IMMEDIATE).

A space is a 32-bit number naming what the keys are (婚姻登记's parties, the queued runs' submissions); keys of
different spaces never meet."""

from django.db import connection

QUEUE = 0x5155  # the space of the queued runs' submissions (core.workers.submitting): one key per kind of run


def hold(space: int, *keys: str) -> None:
    """Take the advisory lock of each key in ``space`` (in one order, so two callers holding some of the same keys
    cannot deadlock) until the current transaction ends. Called inside ``transaction.atomic()``: outside one, on
    PostgreSQL the lock would be let go as soon as it was taken."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("advisory locks are held until the transaction ends: take them inside transaction.atomic()")
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [space, key])
