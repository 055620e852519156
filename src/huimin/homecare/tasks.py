"""The every-minute job of 智慧养老 as a task for ``huimin db_worker`` (or ``huimin homecare_minutely`` from cron)."""

from django_tasks import task

from huimin.core.context import SYSTEM, acting_as


@task()
def minutely_task() -> dict:
    from huimin.homecare import alarms

    with acting_as(SYSTEM):
        return alarms.minutely()
