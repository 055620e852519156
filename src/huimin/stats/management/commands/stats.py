"""``huimin stats compute [--month 2026-10] [--months 12]``: materialise months of statistics (run monthly, e.g.
on the 10th, after the month's payroll is locked; the pages also compute a missing or stale month on view)."""

import datetime
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huimin.stats import compute


class Command(BaseCommand):
    help = "计算（物化）社会救助月度统计数据"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("compute", help="计算统计月份（默认上一个月）及其以前若干个月")
        run.add_argument("--month", default="", help="统计月份，如 2026-10（默认上一个月）")
        run.add_argument("--months", type=int, default=1, help="向前计算的月数（含统计月份）")

    def handle(self, *args, **options):
        text = options["month"]
        if text:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
            if not match or not 1 <= int(match[2]) <= 12:
                raise CommandError("统计月份格式应为 2026-10")
            month = datetime.date(int(match[1]), int(match[2]), 1)
        else:
            month = compute.add_months(compute.month_start(timezone.localdate()), -1)
        if month > compute.month_start(timezone.localdate()):
            raise CommandError("不能计算未来月份")
        if not 1 <= options["months"] <= 120:
            raise CommandError("月数应在 1 到 120 之间")
        for back in range(options["months"] - 1, -1, -1):
            run = compute.materialise(compute.add_months(month, -back), actor="command")
            self.stdout.write(f"{run.month:%Y-%m}：{run.rows} 行，{run.seconds:.2f} 秒")
