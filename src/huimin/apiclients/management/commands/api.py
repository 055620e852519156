from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from huimin.apiclients import services
from huimin.apiclients.models import ApiClient
from huimin.apikit import grantable_operations
from huimin.core.context import acting_as, actor_for
from huimin.core.models import User
from huimin.core.services import ServiceError


class Command(BaseCommand):
    help = "接口：api operations 列出可授权的接口；api token create/list/revoke/rotate 管理客户端令牌（安全保密员）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("operations", help="列出可授权给客户端的接口（operationId）")
        token = sub.add_parser("token", help="客户端令牌")
        actions = token.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="签发令牌（只显示一次）")
        create.add_argument("--by", required=True, help="签发人（安全保密员）的登录名")
        create.add_argument("--name", required=True)
        create.add_argument("--department", required=True)
        create.add_argument("--operation", action="append", default=[], help="允许的接口，可重复")
        create.add_argument("--region", action="append", default=[], help="允许的区划代码（12 位），可重复")
        create.add_argument("--rate", type=int, default=60, help="每分钟调用上限")
        create.add_argument("--source", action="append", default=[], help="upload_feed 可报送的数据源，可重复")
        actions.add_parser("list", help="列出客户端")
        for name, text in (("revoke", "停用客户端（令牌立即失效）"), ("rotate", "更换令牌（旧令牌失效）")):
            p = actions.add_parser(name, help=text)
            p.add_argument("name")
            p.add_argument("--by", required=True, help="操作人（安全保密员）的登录名")

    def handle(self, *args, what, **options):
        if what == "operations":
            for info in grantable_operations().values():
                self.stdout.write(f"{info.operation_id}\t{'/'.join(info.methods)} {info.path}\t{info.summary}")
            return
        action = options["action"]
        if action == "list":
            for c in ApiClient.objects.all():
                state = "启用" if c.is_active else "停用"
                self.stdout.write(
                    f"{c.name}\t{c.department}\thm_{c.token_prefix}_…\t{state}\t{c.rate_limit_per_minute}/分钟\t"
                    f"{','.join(c.operations)}\t{','.join(c.region_prefixes)}\t{','.join(c.sources)}"
                )
            return
        actor = User.objects.filter(username=options["by"], is_active=True).select_related("region").first()
        if actor is None:
            raise CommandError(f"账号 {options['by']} 不存在或已停用")
        try:
            with acting_as(actor_for(actor, "cli")):
                if action == "create":
                    client, token = services.issue(
                        actor, name=options["name"], department=options["department"],
                        operations=options["operation"], region_codes=options["region"], rate_limit=options["rate"],
                        sources=options["source"],
                    )  # fmt: skip
                    self.stdout.write(f"已签发客户端 {client.name}。令牌（只显示这一次）：\n{token}")
                    return
                client = ApiClient.objects.filter(name=options["name"]).first()
                if client is None:
                    raise CommandError(f"客户端 {options['name']} 不存在")
                if action == "revoke":
                    services.set_active(actor, client, False)
                    self.stdout.write(f"客户端 {client.name} 已停用")
                else:
                    self.stdout.write(
                        f"客户端 {client.name} 的新令牌（只显示这一次）：\n{services.rotate(actor, client)}"
                    )
        except (ServiceError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
