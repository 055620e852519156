"""Run 婚姻登记's daily job: past appointments not served are no-shows; divorce applications whose cooling-off
period ended wait for registration, those past the registration window are deemed withdrawn. Idempotent; schedule
it once a day (cron or a timer)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huimin.core.context import SYSTEM, acting_as


class Command(BaseCommand):
    help = "婚姻登记每日任务：预约未到、离婚冷静期届满、逾期未登记视为撤回"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期运行（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        from huimin.marriage import services

        day = None
        if options.get("date"):
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        with acting_as(SYSTEM):
            r = services.daily(day)
        self.stdout.write(f"预约未到 {r['no_shows']} 个；冷静期届满待登记 {r['waiting']} 件；视为撤回 {r['lapsed']} 件")
