"""Long runs that commit their 运行中 row first and their result last (核对 batch re-checks, 监测 runs): which
process runs them, whether that process still lives, and closing as 中断 the rows that can no longer finish.

A model using this inherits ``WorkerFields`` and has ``status`` (with ``Status.RUNNING`` and
``Status.INTERRUPTED``), ``error`` and ``created_at``. The service records ``this_worker()`` on the row it creates,
calls ``heartbeat(row)`` after each step, and calls ``close_stale(Model, …)`` before a new run starts; the pages
call it too, so a killed run shows 中断 (with a rerun), not 运行中 forever."""

import datetime
import os
import socket
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from huimin.core import audit, locks


class WorkerFields(models.Model):
    """The process running the row (host, pid and the process's start time, so a reused pid is not taken for it)
    and when it last made progress."""

    worker_host = models.CharField("运行主机", max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField("运行进程号", null=True, blank=True)
    worker_started = models.BigIntegerField("运行进程启动时刻", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)

    class Meta:
        abstract = True


def process_started(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), or None where /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])  # field 22, counted after the parenthesised name
    except (OSError, ValueError, IndexError):
        return None


def this_worker() -> dict:
    """The fields that name the current process, to store on the row a run creates (with ``heartbeat_at``)."""
    pid = os.getpid()
    return {
        "worker_host": socket.gethostname(),
        "worker_pid": pid,
        "worker_started": process_started(pid),
        "heartbeat_at": timezone.now(),
    }


def heartbeat(row) -> None:
    """Record progress on a row that is still 运行中 (a row already closed stays closed)."""
    model = type(row)
    model.objects.filter(pk=row.pk, status=model.Status.RUNNING).update(heartbeat_at=timezone.now())


def worker_alive(row) -> bool | None:
    """Whether the process running ``row`` still exists: True/False when it ran on this host, None when it ran
    elsewhere (or recorded no process) and only its silence can tell."""
    if not row.worker_pid or row.worker_host != socket.gethostname():
        return None
    try:
        os.kill(row.worker_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # a process of another user holds the pid: compare start times below
    if row.worker_started is not None:
        return process_started(row.worker_pid) == row.worker_started  # a reused pid is another process
    return True


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.HUIMIN_BATCH_STALE_MINUTES)


def running(model):
    """The 运行中 rows of ``model`` whose process lives (or, elsewhere, has made progress recently)."""
    return [row for row in model.objects.filter(status=model.Status.RUNNING).order_by("id") if _why_stale(row) is None]


def _why_stale(row, now: datetime.datetime | None = None) -> str | None:
    alive = worker_alive(row)
    silent = (now or timezone.now()) - (row.heartbeat_at or row.created_at)
    if alive is False:
        return f"运行它的进程（{row.worker_host} 上的 {row.worker_pid} 号）已不存在"
    if alive is None and silent > stale_after():
        return f"已有 {int(silent.total_seconds() // 60)} 分钟没有进展"
    return None


def close_stale(model, *, action: str, message, region_code=None) -> list:
    """Close as 中断 every 运行中 row of ``model`` that can no longer finish: its process on this host is gone, or
    (run elsewhere, or no process recorded) it has made no progress for ``HUIMIN_BATCH_STALE_MINUTES``. The row's
    error is ``message`` (or ``message(row)``) with ``{reason}`` filled in; each closing is audited once as
    ``action`` (with the region ``region_code(row)`` when given). Returns the rows closed."""
    now = timezone.now()
    closed = []
    for row in model.objects.filter(status=model.Status.RUNNING).order_by("id"):
        reason = _why_stale(row, now)
        if reason is None:
            continue
        error = (message(row) if callable(message) else message).format(reason=reason)
        with transaction.atomic():
            if not model.objects.filter(pk=row.pk, status=model.Status.RUNNING).update(
                status=model.Status.INTERRUPTED, error=error
            ):
                continue  # finished or closed by someone else meanwhile
            row.refresh_from_db()
            audit.record(
                action,
                row,
                region_code=region_code(row) if region_code else "",
                before={"status": model.Status.RUNNING},
                after={"status": model.Status.INTERRUPTED},
                detail=error,
            )
        closed.append(row)
    return closed


# --- the task worker's heartbeat ------------------------------------------------------------------------------

BEAT_SECONDS = 10
# a worker is taken as gone after this much silence (a long task holds no lock on the beat: the beat is a thread)
SEEN_WITHIN = datetime.timedelta(seconds=6 * BEAT_SECONDS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str) -> None:
    """Record that the task worker ``name`` lives (called every BEAT_SECONDS by ``huimin db_worker``)."""
    from huimin.core.models import TaskWorkerBeat

    TaskWorkerBeat.objects.update_or_create(worker=name, defaults={"seen_at": timezone.now()})


def stopped(name: str) -> None:
    from huimin.core.models import TaskWorkerBeat

    TaskWorkerBeat.objects.filter(worker=name).delete()


def worker_seen() -> bool:
    """Whether some task worker has beaten recently."""
    from huimin.core.models import TaskWorkerBeat

    return TaskWorkerBeat.objects.filter(seen_at__gte=timezone.now() - SEEN_WITHIN).exists()


def waiting(*tasks, **filters):
    """The queued jobs of ``tasks`` (django-tasks tasks) that no worker has picked up yet."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path__in=[t.module_path for t in tasks], **filters)


class Submission:
    """What ``submitting`` hands its block: ``enqueue(task, …)`` queues the job, and ``result`` is then the task's
    result (django-tasks' TaskResult)."""

    def __init__(self) -> None:
        self.result = None
        self._later: tuple | None = None

    def enqueue(self, task, *args, **kwargs) -> None:
        from django_tasks_db import DatabaseBackend

        if isinstance(task.get_backend(), DatabaseBackend):
            self.result = task.enqueue(*args, **kwargs)  # the job's row, in the locked transaction
        else:
            self._later = (task, args, kwargs)  # the immediate backend runs it at once: not under the lock


@contextmanager
def submitting(kind: str):
    """Check, audit and queue a run as one step, so two identical submissions at the same instant cannot both pass
    the check and both be queued: the block runs in a transaction holding the lock of ``kind`` (the kind of run:
    ``core.locks.hold(locks.QUEUE, kind)``), and its ``enqueue`` writes the job's row (django_tasks_db) in that same
    transaction — the next submitter of that kind waits for the commit and its check then finds the job. A refusal
    raised in the block rolls back what it wrote. A backend that keeps no jobs in the database (the immediate one:
    tests) runs the task after the transaction, not inside it::

        with workers.submitting("monitoring.run") as queue:
            refuse_while_queued()
            queue.enqueue(run_task, actor.pk, kind)
        return queue.result
    """
    submission = Submission()
    with transaction.atomic():
        locks.hold(locks.QUEUE, kind)
        yield submission
    if submission._later is not None:
        task, args, kwargs = submission._later
        submission.result = task.enqueue(*args, **kwargs)


def waiting_since(task, **filters) -> datetime.datetime | None:
    """When the oldest of ``task``'s jobs still waiting for a worker was queued (None when none waits)."""
    return waiting(task, **filters).order_by("enqueued_at").values_list("enqueued_at", flat=True).first()


def waited(since: datetime.datetime | None) -> str:
    """How long a queued job has waited, as a person reads it: 已等待 3 分钟, 已等待 2 小时 5 分钟."""
    if since is None:
        return ""
    minutes = max(0, int((timezone.now() - since).total_seconds() // 60))
    if minutes < 1:
        return "已等待不到 1 分钟"
    if minutes < 60:
        return f"已等待 {minutes} 分钟"
    return f"已等待 {minutes // 60} 小时 {minutes % 60} 分钟"


NO_WORKER_FOR_ADMIN = (
    "没有检测到正在运行的后台任务进程，排队的任务不会被处理：请在服务器上启动后台任务进程"
    "（huimin db_worker；演示环境用 make serve 会同时启动网页服务和后台任务进程）"
)
NO_WORKER_FOR_STAFF = "后台任务进程目前没有运行，排队的任务暂时不会被处理：请联系系统管理员启动后台任务进程"


def queue_notice(user, since: datetime.datetime | None) -> dict:
    """What a page waiting on a queued job shows: how long it has waited and, when no worker has been seen, a
    hint in words the reader can act on (the command for an administrator, whom to ask for anyone else)."""
    hint = ""
    if not worker_seen():
        hint = NO_WORKER_FOR_ADMIN if getattr(user, "holds_system_role", False) else NO_WORKER_FOR_STAFF
    return {"waited": waited(since), "hint": hint}
