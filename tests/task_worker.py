"""The task worker inside a test: what ``huimin db_worker`` does to the jobs queued so far."""

import signal

from django.core.management import call_command


def run_the_worker(monkeypatch) -> None:
    """Run every queued job once, here in the test's transaction (which the worker must not close between tasks)."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay")
    finally:
        for sig, handler in handlers.items():  # the worker installs its own; give pytest its back
            signal.signal(sig, handler)
