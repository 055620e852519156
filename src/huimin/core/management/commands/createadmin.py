from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huimin.core import audit, regions
from huimin.core.models import Region, RoleAssignment, User
from huimin.core.roles import Role
from huimin.core.services import temporary_password


class Command(BaseCommand):
    help = "创建三员账号：系统管理员、安全保密员、安全审计员（临时密码，首次登录须修改）"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="所属区划代码（其管辖范围），如 411700")
        parser.add_argument("--prefix", default="", help="登录名前缀，如 zmd_ 得到 zmd_sysadmin 等")
        parser.add_argument(
            "--role", choices=["sysadmin", "security", "auditor", "all"], default="all", help="只创建其中一个"
        )

    def handle(self, *args, **options):
        try:
            code = regions.normalize_code(options["region"])
        except regions.RegionCodeError as exc:
            raise CommandError(str(exc)) from exc
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"区划 {code} 不存在：请先载入或导入区划")
        wanted = [Role.SYSADMIN, Role.SECURITY, Role.AUDITOR]
        if options["role"] != "all":
            wanted = [Role(options["role"])]
        with transaction.atomic():
            for role in wanted:
                username = f"{options['prefix']}{role.value}"
                if User.objects.filter(username=username).exists():
                    raise CommandError(f"账号 {username} 已存在")
                password = temporary_password()
                user = User(username=username, full_name=role.label, region=region)
                user.set_password(password)
                user.save()
                RoleAssignment.objects.create(user=user, role=role, line="")
                audit.record("core.user.create", user, after={"username": username, "role": role.value})
                self.stdout.write(f"{role.label}：{username}  临时密码：{password}")
        self.stdout.write("请妥善转交临时密码；首次登录须修改。")
