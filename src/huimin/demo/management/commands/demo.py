import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.core import regions
from huimin.core.models import User
from huimin.demo import generator, loader

LOCAL_SHOWN = 3  # township and village accounts shown of each kind (all city and county accounts are)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期“{text}”格式应为 YYYY-MM-DD") from exc


ALREADY_LOADED = "演示数据库已存在，直接启动；如需重建请运行 make demo-reset"


class Command(BaseCommand):
    help = "演示城市：generate 生成合成数据（Parquet）；load 载入当前数据库；logins 列出演示账号"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("generate", "生成合成城市与部门数据到目录（Parquet）"), ("load", "载入小型演示城市")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--persons", type=int, default=3000, help="人数")
            p.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
            p.add_argument("--as-of", default=generator.DEFAULT_AS_OF.isoformat(), help="数据基准日 YYYY-MM-DD")
            if name == "generate":
                p.add_argument("--out", required=True, help="输出目录")
                p.add_argument(
                    "--partition",
                    choices=["county"],
                    default="",
                    help="按县分目录写出（county=<区划代码>/），省级规模（千万人）时每县的复核只读本县文件",
                )
            else:
                p.add_argument(
                    "--if-empty", action="store_true", help="数据库中已有演示城市时不再载入，直接使用现有数据"
                )
        sub.add_parser("logins", help="列出演示账号与密码")

    def handle(self, *args, action, **options):
        if action == "logins":
            return self._logins()
        persons, seed, as_of = options["persons"], options["seed"], _date(options["as_of"])
        if persons < 100:
            raise CommandError("人数至少 100")
        if action == "generate":
            out = Path(options["out"])
            summary = generator.generate(
                out,
                persons,
                seed,
                as_of,
                progress=lambda s: self.stderr.write(
                    f"  已生成 {s.persons:,} / {persons:,} 人（{s.persons * 100 // persons}%），"
                    f"部门记录 {s.department_total:,} 条"
                ),
                partition=options["partition"],
            )
            self.stdout.write(
                f"已生成 {summary.persons:,} 人、{summary.households:,} 户、部门记录 {summary.department_total:,} 条、"
                f"预置案例 {sum(summary.planted.values())} 个，用时 {summary.seconds:.1f} 秒 → {out}"
            )
            return None
        if options["if_empty"] and loader.already_loaded():
            self.stdout.write(ALREADY_LOADED)
            return None
        try:
            result = loader.load(persons, seed, as_of)
        except loader.DemoLoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"演示城市已载入：{result.persons:,} 人、{result.households:,} 户、新增区划 {result.regions} 个、"
            f"账号 {result.users} 个、办理中的救助申请 {result.applications} 件、"
            f"部门核对数据 {result.departmental_rows:,} 行、已锁定的月度发放 {result.payroll_months} 个。"
        )
        labels = ", ".join(f"{k} {v}" for k, v in sorted(result.programmes.items()))
        self.stdout.write(f"各户救助状态：{labels}（低保、特困已作为在保对象载入，含演示历史审批记录）")
        names = {"disability_living": "困难残疾人生活补贴", "severe_care": "重度残疾人护理补贴"}
        if result.subsidies:
            counts = "、".join(f"{names.get(k, k)} {v} 人" for k, v in sorted(result.subsidies.items()))
            self.stdout.write(f"残疾人两项补贴（按眉山比例）：{counts}")
        return None

    def _logins(self):
        """Every city and county account, and the first few of each kind of township and village account, each with
        its duty (its name) and its roles per business line."""
        users = (
            User.objects.filter(is_active=True, role_assignments__isnull=False)
            .select_related("region")
            .prefetch_related("role_assignments")
            .distinct()
            .order_by("region__level", "region_id", "username")
        )
        if not users:
            raise CommandError("没有演示账号：请先运行 huimin demo load")
        self.stdout.write(f"演示账号（密码均为 {loader.DEMO_PASSWORD}，仅用于演示）：")
        shown: dict[tuple[int, str], int] = {}
        for user in users:
            roles = "、".join(str(a) for a in sorted(user.role_assignments.all(), key=lambda a: (a.role, a.line)))
            kind = (user.region.level, roles)
            shown[kind] = shown.get(kind, 0) + 1
            if user.region.level <= regions.COUNTY or shown[kind] <= LOCAL_SHOWN:
                self.stdout.write(f"  {user.username:<16} {user.full_name:<16} {roles}　{user.region.full_name()}")
        for (level, roles), count in shown.items():
            if level > regions.COUNTY and count > LOCAL_SHOWN:
                self.stdout.write(f"  ……{regions.LEVEL_NAMES[level]}{roles}共 {count} 个")
        from huimin.demo.orgs import DEMO_ORG_PASSWORD
        from huimin.orgs.models import Organisation

        first = Organisation.objects.exclude(portal_password="").order_by("pk").first()
        if first:
            self.stdout.write(f"社会组织网上年报（/orgs/portal/）：{first.name}，统一社会信用代码 {first.credit_code}，"
                              f"年报填报密码 {DEMO_ORG_PASSWORD}（各县第一家社会组织同此密码）")  # fmt: skip
        return None
