"""The daily jobs of every app, run once a day by ``huimin daily`` (cron or a timer) in a fixed order. An app
registers its job in ``AppConfig.ready``: ``register(code, label, function)``, the function taking the day and
returning a short Chinese summary. Each job runs in its own transaction; one failing is reported and the others
still run. Jobs must be idempotent: running a day twice changes nothing the second time."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    code: str
    label: str
    run: Callable[[datetime.date], str]


JOBS: dict[str, Job] = {}


def register(code: str, label: str, run: Callable[[datetime.date], str]) -> None:
    JOBS[code] = Job(code, label, run)


def run_all(day: datetime.date, only: list[str] | None = None) -> list[tuple[Job, str, bool]]:
    """Run the jobs (``only`` some of them) for ``day``: [(job, summary or error, ok)]."""
    from django.db import transaction

    from huimin.core.context import SYSTEM, acting_as

    results = []
    for job in JOBS.values():
        if only and job.code not in only:
            continue
        try:
            with acting_as(SYSTEM), transaction.atomic():
                results.append((job, job.run(day), True))
        except Exception as exc:  # noqa: BLE001 - one job's failure must not stop the others; it is reported
            results.append((job, f"{type(exc).__name__}: {exc}", False))
    return results
