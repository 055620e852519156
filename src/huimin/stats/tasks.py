"""The background refresh of a stale indicator board (``huimin db_worker`` runs the queue)."""

import datetime

from django_tasks import task

from huimin.core.context import SYSTEM, acting_as


@task()
def refresh_indicators(region_code: str, month: str) -> float:
    from huimin.core.models import Region
    from huimin.stats import indicators

    with acting_as(SYSTEM):
        region = Region.objects.get(code=region_code)
        return indicators.compute_run(region, datetime.date.fromisoformat(month)).seconds
