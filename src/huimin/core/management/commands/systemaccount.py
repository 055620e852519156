import getpass

from django.core.management.base import BaseCommand, CommandError

from huimin.core.context import Actor, acting_as
from huimin.core.models import AccountChangeRequest
from huimin.core.services import ServiceError
from huimin.core.system_accounts import change_from_command_line

Kind = AccountChangeRequest.Kind
ACTIONS = {
    "reset-password": Kind.RESET_PASSWORD,
    "deactivate": Kind.DEACTIVATE,
    "activate": Kind.ACTIVATE,
    "grant": Kind.GRANT_ROLE,
    "revoke": Kind.REVOKE_ROLE,
}


class Command(BaseCommand):
    help = (
        "三员账号的命令行办理（部署文档所述程序）：重置密码、停用、启用、授予或撤销系统角色。"
        "须在服务器上执行，写明事由，记入审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=sorted(ACTIONS), help="办理事项")
        parser.add_argument("username", help="三员账号的登录名")
        parser.add_argument(
            "--role", default="", choices=["", "sysadmin", "security", "auditor"], help="grant 时授予的系统角色"
        )
        parser.add_argument("--reason", required=True, help="事由（如工单号），记入审计日志")

    def handle(self, *args, **options):
        operator = Actor(None, f"命令行:{getpass.getuser()}")
        try:
            with acting_as(operator):
                password = change_from_command_line(
                    options["username"], ACTIONS[options["action"]], role=options["role"], reason=options["reason"]
                )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已办理：{options['action']} {options['username']}（已记入审计日志）")
        if password:
            self.stdout.write(f"临时密码：{password}（请当面转交；首次登录须修改）")
