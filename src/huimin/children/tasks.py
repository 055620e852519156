"""The daily job of 儿童福利 as a task for ``huimin db_worker`` (or ``huimin daily`` from cron)."""

from django_tasks import task

from huimin.core.context import SYSTEM, acting_as


@task()
def daily_task() -> dict:
    from huimin.children import services

    with acting_as(SYSTEM):
        return services.daily()
