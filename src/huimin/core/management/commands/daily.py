"""Run every app's daily job (huimin.core.daily) for today or a given date. Idempotent: schedule it once a day."""

import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "运行各业务的每日任务（信用名单转入、到期提醒等）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期运行（YYYY-MM-DD，默认今天）")
        parser.add_argument("--only", action="append", help="只运行指定任务（可重复），如 orgs.credit_moves")

    def handle(self, *args, **options):
        from django.utils import timezone

        from huimin.core import daily

        day = timezone.localdate()
        if options.get("date"):
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        failed = 0
        for job, summary, ok in daily.run_all(day, options.get("only")):
            self.stdout.write(f"{'✓' if ok else '✗'} {job.label}（{job.code}）：{summary}")
            failed += not ok
        if failed:
            raise CommandError(f"{failed} 项每日任务失败")
