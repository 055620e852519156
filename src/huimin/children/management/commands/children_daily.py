"""Run 儿童福利's daily job: children who have turned 18 leave the registers on their birthday and their 基本生活费
stops from the month after it. Idempotent; schedule it once a day (cron or a timer), or ``huimin db_worker``."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huimin.core.context import SYSTEM, acting_as


class Command(BaseCommand):
    help = "儿童福利每日任务：年满18周岁退出儿童名册，基本生活费自次月起停发"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期运行（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        from huimin.children import services

        day = None
        if options.get("date"):
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        with acting_as(SYSTEM):
            result = services.daily(day)
        self.stdout.write(f"退出儿童名册 {result['ended']} 人；停发基本生活费 {result['stopped']} 人")
