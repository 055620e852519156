"""Run 待遇资格's daily job: the 残联's certificate data read again (expiry dates pass without a new extract) and
the 生存认证 suspensions of those past their grace period. Idempotent; schedule it once a day (cron or a timer)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huimin.core.context import SYSTEM, acting_as


class Command(BaseCommand):
    help = "待遇资格每日任务：残疾人证变更处理、生存认证逾期停保"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期运行（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        from huimin.eligibility import services

        day = None
        if options.get("date"):
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        with acting_as(SYSTEM):
            result = services.daily(day)
        self.stdout.write(f"残疾人证变更 {result['certificates']} 条；生存认证逾期停保 {result['suspended']} 人")
