"""调标 from the command line, as a named county user (the same checks and audit as the page):

huimin restandard --by approver1 --region 411702 --kind dibao --month 2026-07             # preview only
huimin restandard --by approver1 --region 411702 --kind dibao --month 2026-07 --apply --reason "市政府通知"
"""

from django.core.management.base import BaseCommand, CommandError

from huimin.benefits import restandard
from huimin.core.access import AccessError
from huimin.core.context import acting_as, actor_for
from huimin.core.models import User
from huimin.core.services import ServiceError


class Command(BaseCommand):
    help = "调标：保障标准调整后，按生效月份重新核定在保对象的月保障金额（默认只预览）"

    def add_arguments(self, parser):
        parser.add_argument("--by", required=True, help="办理人用户名（须有设置保障标准的权限）")
        parser.add_argument("--region", required=True, help="区划代码")
        parser.add_argument("--kind", required=True, choices=["dibao", "tekun"])
        parser.add_argument("--month", required=True, help="生效月份 YYYY-MM")
        parser.add_argument("--apply", action="store_true", help="确认调标（不加则只预览）")
        parser.add_argument("--reason", default="", help="调标依据（--apply 时必填）")

    def handle(self, *args, by, region, kind, month, apply, reason, **_):
        user = User.objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {by} 不存在或已停用")
        with acting_as(actor_for(user)):
            try:
                if apply:
                    plan = restandard.apply(user, region_code=region, kind=kind, month=month, reasons=reason)
                else:
                    plan = restandard.plan(user, region_code=region, kind=kind, month=month)
            except (ServiceError, AccessError) as exc:
                raise CommandError(str(exc)) from exc
        for row in plan.changed:
            self.stdout.write(f"{row.enrolment.pk}\t{row.enrolment.household.number}\t{row.old}\t→ {row.new}")
        for row in plan.manual:
            self.stdout.write(
                f"{row.enrolment.pk}\t{row.enrolment.household.number}\t{row.old}\t需人工核定：{row.note}"
            )
        verb = "已调标" if apply else "预览：将调标"
        self.stdout.write(
            f"{verb} {len(plan.changed)} 户（人），自 {plan.month:%Y-%m} 起每月合计变化 {plan.monthly_difference} 元；"
            f"不变 {plan.unchanged}；需人工核定 {len(plan.manual)}"
        )
