"""核对 housekeeping from the command line.

huimin verification token --department 税务局 --sources wages     # a department's upload client (API token)
huimin verification ingest wages file.csv --as-of 2026-06-30 [--by-county]   # load a file (rejected whole on errors)
huimin verification export [--by-county] [--dest DIR]              # registry → var/engine/ Parquet
huimin verification batch [--snapshots DIR] --programme dibao --as-of 2026-10-31 --user NAME [--region 4117]
                          [--resume RUN_ID]     # county by county over county-partitioned snapshots (without
                                                # --snapshots: the registry and the departmental data in force)
"""

import argparse
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.apiclients.services import issue_feed_client
from huimin.core.context import Actor, acting_as, actor_for
from huimin.core.services import ServiceError
from huimin.engine import export
from huimin.engine.sources import SOURCES
from huimin.verification import services


class Command(BaseCommand):
    help = "居民家庭经济状况核对：部门接口凭证、导入部门数据、导出引擎快照"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        token = sub.add_parser("token", help="为部门签发只能报送数据的接口客户端令牌（只显示一次）")
        token.add_argument("--department", required=True)
        token.add_argument("--sources", required=True, help="数据源代码，逗号分隔：" + ",".join(SOURCES))
        ingest = sub.add_parser("ingest", help="导入一个部门数据文件")
        ingest.add_argument("source", choices=list(SOURCES))
        ingest.add_argument("path")
        ingest.add_argument("--as-of", required=True, help="数据日期 YYYY-MM-DD")
        ingest.add_argument("--valid-only", action="store_true", help="仅导入有效行（默认有错误则整个文件拒收）")
        ingest.add_argument(
            "--by-county", action=argparse.BooleanOptionalAction, default=None,
            help="按县（区）分区保存（默认按设置 HUIMIN_SNAPSHOTS_BY_COUNTY）",
        )  # fmt: skip
        export_ = sub.add_parser("export", help="把登记数据导出为引擎使用的 Parquet 快照")
        export_.add_argument("--by-county", action="store_true", help="按县（区）分区：persons/county=<代码>/ 等")
        export_.add_argument("--dest", help="导出目录（默认 var/engine/registry-<时间>）")
        batch = sub.add_parser("batch", help="按县批量复核（省级规模：按县分区的快照，可中断后按县续跑）")
        batch.add_argument(
            "--snapshots",
            help="按县分区的快照目录（county=<区划代码>/ 子目录；默认：本系统的登记数据和按县保存的部门数据）",
        )
        batch.add_argument("--programme", default="dibao", help="救助项目代码")
        batch.add_argument("--as-of", help="核对基准日 YYYY-MM-DD（续跑时沿用原批次的）")
        batch.add_argument("--user", required=True, help="发起复核的用户名（须有批量复核权限，范围在其辖区内）")
        batch.add_argument("--region", default="", help="区划代码前缀（默认该用户的辖区）")
        batch.add_argument("--resume", type=int, help="续跑中断的批次号：已完成的县不再重算")

    def handle(self, *args, action, **opts):
        with acting_as(Actor(None, "cli", "", "")):
            getattr(self, f"_{action}")(**opts)

    def _token(self, department, sources, **_):
        codes = [c.strip() for c in sources.split(",") if c.strip()]
        unknown = [c for c in codes if c not in SOURCES]
        if unknown or not codes:
            raise CommandError(f"未知的数据源：{'、'.join(unknown) or '（空）'}")
        try:
            client, token = issue_feed_client(department, codes)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"部门：{department}\n接口客户端：{client.name}（只允许 upload_feed）\n数据源：{', '.join(codes)}\n"
            f"凭证（只显示这一次）：{token}"
        )

    def _ingest(self, source, path, as_of, valid_only, by_county=None, **_):
        try:
            day = datetime.date.fromisoformat(as_of)
            content = Path(path).read_bytes()
        except (ValueError, OSError) as exc:
            raise CommandError(f"参数错误：{exc}") from exc
        try:
            upload = services.ingest_file(
                None, source, content, Path(path).name, day, channel="cli", valid_only=valid_only, by_county=by_county
            )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{upload.get_status_display()}：共 {upload.total_rows} 行，错误 {upload.error_rows} 行")
        for error in upload.errors[:1] if not upload.total_rows else ():
            self.stdout.write(f"拒收原因：{error['message']}")
        if upload.unregistered_rows:
            self.stdout.write(f"身份证号不在户籍登记中：{upload.unregistered_rows} 行（见错误报告）")
        if upload.error_report:
            self.stdout.write(f"错误报告：{upload.error_report}")

    def _batch(self, snapshots, programme, as_of, user, region, resume, **_):
        from django.contrib.auth import get_user_model

        from huimin.engine.counties import ProgressLine
        from huimin.verification.models import BatchRun

        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"用户 {user} 不存在或已停用")
        run = None
        if resume is not None:
            run = BatchRun.objects.filter(pk=resume).first()
            if run is None:
                raise CommandError(f"批量复核 #{resume} 不存在")
        elif not as_of:
            raise CommandError("请给出核对基准日 --as-of YYYY-MM-DD")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"核对基准日格式应为 YYYY-MM-DD：{as_of}") from exc
        with acting_as(actor_for(account)):
            try:
                run = services.run_batch_by_county(
                    account, programme, day, snapshots, region_prefix=region, resume=run,
                    progress=ProgressLine("批量复核", self.stderr),
                )  # fmt: skip
            except ServiceError as exc:
                raise CommandError(str(exc)) from exc
        counts = run.counts
        self.stdout.write(
            f"批量复核 #{run.pk} 已完成：{run.counties_done} 个县（区），{run.households:,} 户；"
            f"符合 {counts.get('eligible', 0):,}，不符合 {counts.get('not_eligible', 0):,}，"
            f"需入户核实 {counts.get('needs_visit', 0):,}；用时 {run.seconds:.1f} 秒"
        )

    def _export(self, by_county=False, dest=None, **_):
        paths = export.export_registry(Path(dest) if dest else None, by_county=by_county)
        for name, path in paths.items():
            self.stdout.write(f"{name}: {path}")
