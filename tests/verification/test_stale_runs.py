"""A batch run left 运行中 by a process that died (or fell silent on another host) is closed as 中断, audited once,
shown as such with a rerun; a run whose process is alive, or that made progress recently, is left alone."""

import datetime
import os
import socket
import subprocess
import sys

from django.utils import timezone

from huimin.core import workers
from huimin.core.models import AuditEntry
from huimin.verification import services
from huimin.verification.models import BatchRun
from tests.verification.factories import AS_OF, D, make_household, standard_thresholds

HOST = socket.gethostname()


def _running(users, **worker) -> BatchRun:
    return BatchRun.objects.create(
        programme="dibao", as_of=AS_OF, region_id="411702000000", created_by=users["approver"], **worker
    )


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    proc.wait()
    return proc.pid


def _closed(run) -> bool:
    run.refresh_from_db()
    return run.status == BatchRun.Status.INTERRUPTED


def test_only_runs_that_cannot_finish_are_closed(users, settings):
    settings.HUIMIN_BATCH_STALE_MINUTES = 60
    now = timezone.now()
    me = workers.this_worker()
    alive = _running(users, **{**me, "heartbeat_at": now - datetime.timedelta(hours=5)})  # slow but its process lives
    dead = _running(users, worker_host=HOST, worker_pid=_dead_pid(), heartbeat_at=now)
    reused = _running(users, worker_host=HOST, worker_pid=os.getpid(), worker_started=(me["worker_started"] or 0) + 1)
    elsewhere_recent = _running(users, worker_host="other-host", worker_pid=4242, heartbeat_at=now)
    elsewhere_silent = _running(
        users, worker_host="other-host", worker_pid=4242, heartbeat_at=now - datetime.timedelta(minutes=61)
    )
    unknown_old = _running(users)  # recorded no process (before this change): judged by its start time
    BatchRun.objects.filter(pk=unknown_old.pk).update(created_at=now - datetime.timedelta(hours=2))

    closed = services.close_stale_runs()

    assert {r.pk for r in closed} == {dead.pk, reused.pk, elsewhere_silent.pk, unknown_old.pk}
    assert not _closed(alive) and not _closed(elsewhere_recent)
    assert _closed(dead) and "已不存在" in dead.error
    assert _closed(elsewhere_silent) and "61 分钟没有进展" in elsewhere_silent.error
    entries = AuditEntry.objects.filter(action="verification.batch.interrupted")
    assert sorted(int(e.object_id) for e in entries) == sorted(r.pk for r in closed)
    assert services.close_stale_runs() == []  # closing is done once
    assert entries.count() == 4


def test_a_new_batch_closes_the_dead_run_and_the_pages_show_it(users, login):
    standard_thresholds()
    make_household("411702001001", [("王一", D(1960, 1, 1))])
    dead = _running(users, worker_host=HOST, worker_pid=_dead_pid(), heartbeat_at=timezone.now())
    run = services.run_batch(users["approver"], "dibao", AS_OF, "411702")
    assert run.status == BatchRun.Status.DONE and run.worker_pid == os.getpid() and run.worker_host == HOST
    assert _closed(dead)
    client = login(users["approver"])
    listing = client.get("/verification/batches/").content.decode()
    assert listing.count('data-testid="batch-rerun"') == 1 and ">中断<" in listing
    page = client.get(f"/verification/batches/{dead.pk}/").content.decode()
    assert ">中断<" in page and "可重新运行" in page and 'name="as_of" value="2026-06-30"' in page
    assert "重新运行" not in client.get(f"/verification/batches/{run.pk}/").content.decode()
