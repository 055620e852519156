"""动态监测 from the command line (a scheduled daily run, or a province's run watched on a terminal).

huimin monitoring run [--full] [--as-of 2026-11-20] [--user NAME]   # incremental unless --full
huimin monitoring run --resume RUN_ID [--user NAME]                 # a stopped county-by-county run, by county

Over county-partitioned snapshots the run goes county by county with a progress bar on stderr.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from huimin.core.context import Actor, acting_as, actor_for
from huimin.core.services import ServiceError
from huimin.engine.counties import ProgressLine
from huimin.monitoring import services
from huimin.monitoring.models import MonitoringRun


class Command(BaseCommand):
    help = "低收入人口动态监测：运行监测（增量或全量），按县续跑中断的运行"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="运行监测（部门数据按县分区时逐县运行，显示进度）")
        run.add_argument("--full", action="store_true", help="全量运行（默认增量）")
        run.add_argument("--as-of", help="监测基准日 YYYY-MM-DD（默认今天）")
        run.add_argument("--user", help="发起运行的用户名（须有启动监测运行的权限；默认以系统身份运行）")
        run.add_argument("--resume", type=int, help="按县续跑中断或失败的运行编号：已完成的县不再重算")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _run(self, full, as_of, user, resume, **_):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(f"用户 {user} 不存在或已停用")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"监测基准日格式应为 YYYY-MM-DD：{as_of}") from exc
        previous = None
        if resume is not None:
            if as_of or full:
                raise CommandError("续跑沿用原运行的类型和基准日，不能再给 --full 或 --as-of")
            previous = MonitoringRun.objects.filter(pk=resume).first()
            if previous is None:
                raise CommandError(f"监测运行 #{resume} 不存在")
        kind = MonitoringRun.Kind.FULL if full else MonitoringRun.Kind.INCREMENTAL
        with acting_as(actor_for(account) if account else Actor(None, "cli", "", "")):
            try:
                mrun = services.run(account, kind, day, resume=previous,
                                    progress=ProgressLine("动态监测", self.stderr, unit="人"))  # fmt: skip
            except ServiceError as exc:
                raise CommandError(str(exc)) from exc
        where = f"{mrun.counties_done} 个县（区），" if mrun.by_county else ""
        self.stdout.write(
            f"{mrun}已完成：{where}监测 {mrun.population:,} 人，命中 {mrun.facts:,} 条事实，"
            f"新增预警 {mrun.raised:,} 条；用时 {mrun.seconds:.1f} 秒"
        )
