"""``huimin db_worker``: django-tasks' database worker, beating a heartbeat while it runs so the pages waiting on
a queued job can tell whether a worker will pick it up (core.workers.worker_seen). huimin.core comes before
django_tasks_db in INSTALLED_APPS, so this command is the one ``huimin db_worker`` runs."""

import contextlib
import threading

from django.db import DatabaseError, close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from huimin.core import workers


class Command(DatabaseWorkerCommand):
    help = "后台任务进程：处理排队的任务（台账导入、监测运行等），并定时记录心跳"

    def handle(self, *args, **options):
        name = workers.worker_name()
        workers.beat(name)  # seen from the start, before the first task
        stop = threading.Event()
        beating = threading.Thread(target=_beat_until, args=(name, stop), name="huimin-heartbeat", daemon=True)
        beating.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            beating.join(timeout=5)
            with contextlib.suppress(DatabaseError):  # the database gone: the beat ages out on its own
                workers.stopped(name)


def _beat_until(name: str, stop: threading.Event) -> None:
    while not stop.wait(workers.BEAT_SECONDS):
        try:
            workers.beat(name)
        except DatabaseError:
            pass  # e.g. SQLite busy with the worker's task: the next beat tries again
        finally:
            close_old_connections()
    connection.close()
