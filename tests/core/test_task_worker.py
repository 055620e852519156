"""The task worker runs beside the web server (``huimin serve``), beats a heartbeat (``huimin db_worker``), and a
page waiting on a queued job says how long it has waited and, when no worker is seen, what to do about it."""

import datetime
import signal
import sys
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from huimin.core import workers
from huimin.core.management.commands import serve
from huimin.core.models import TaskWorkerBeat
from tests.clock import at

pytestmark = pytest.mark.django_db


def test_run_together_stops_the_worker_when_the_server_exits():
    started = time.monotonic()
    code = serve.run_together(
        [[sys.executable, "-c", "import sys; sys.exit(3)"], [sys.executable, "-c", "import time; time.sleep(60)"]],
        poll=0.05,
    )
    assert code == 3 and time.monotonic() - started < 20  # the sleeper was terminated, not waited for


def test_serve_runs_the_web_server_and_the_task_worker(monkeypatch):
    started = []
    monkeypatch.setattr(serve, "run_together", lambda commands: started.extend(commands) or 0)
    call_command("serve", "127.0.0.1:8123")
    assert [argv[1:] for argv in started] == [
        ["-m", "huimin", "runserver", "127.0.0.1:8123"],
        ["-m", "huimin", "db_worker"],
    ]


def test_serve_reports_a_process_that_died(monkeypatch):
    monkeypatch.setattr(serve, "run_together", lambda commands: 1)
    with pytest.raises(Exception, match="另一个也已停止"):
        call_command("serve")


def test_db_worker_beats_while_it_runs_and_clears_its_beat_when_it_stops(monkeypatch):
    seen = []
    real_beat = workers.beat
    monkeypatch.setattr(workers, "beat", lambda name: seen.append(workers.worker_seen() or real_beat(name)))
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert seen, "the worker never beat"
    assert not TaskWorkerBeat.objects.exists()  # stopped: no longer seen


def test_a_recent_beat_is_a_live_worker_and_an_old_one_is_not():
    with at(2026, 11, 20):
        workers.beat("host:1")
        assert workers.worker_seen()
    with at(2026, 11, 20, 10, 5):
        assert not workers.worker_seen()


def test_queue_notice_says_how_long_and_whom_to_ask(users):
    with at(2026, 11, 20, 9, 0):
        queued = timezone.now()
    with at(2026, 11, 20, 9, 3):
        clerk = workers.queue_notice(users["clerk_a"], queued)
        admin = workers.queue_notice(users["sysadmin"], queued)
        assert clerk["waited"] == "已等待 3 分钟"
        assert "联系系统管理员" in clerk["hint"] and "db_worker" not in clerk["hint"]
        assert "huimin db_worker" in admin["hint"] and "make serve" in admin["hint"]
        workers.beat("host:2")
        assert workers.queue_notice(users["clerk_a"], queued)["hint"] == ""
    with at(2026, 11, 20, 11, 5):
        assert workers.waited(queued) == "已等待 2 小时 5 分钟"
    with at(2026, 11, 20, 9, 0):
        assert workers.waited(timezone.now() - datetime.timedelta(seconds=30)) == "已等待不到 1 分钟"
