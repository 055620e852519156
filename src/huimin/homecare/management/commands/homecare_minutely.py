"""Run 智慧养老's every-minute job: escalate the alarms nobody acknowledged in time and raise an alarm for each
device silent longer than its heartbeat interval. Idempotent; schedule it every minute (cron or a timer)."""

from django.core.management.base import BaseCommand

from huimin.core.context import SYSTEM, acting_as


class Command(BaseCommand):
    help = "智慧养老每分钟任务：未响应告警升级、设备失联告警"

    def handle(self, *args, **options):
        from huimin.homecare import alarms

        with acting_as(SYSTEM):
            result = alarms.minutely()
        self.stdout.write(f"升级告警 {result['escalated']} 条；设备失联告警 {result['silent']} 条")
