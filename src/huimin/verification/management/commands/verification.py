"""核对 housekeeping from the command line.

huimin verification token --department 税务局 --sources wages     # a department's upload client (API token)
huimin verification ingest wages file.csv --as-of 2026-06-30       # load a file (rejected whole on errors)
huimin verification export                                         # registry → var/engine/ Parquet
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.apiclients.services import issue_feed_client
from huimin.core.context import Actor, acting_as
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
        sub.add_parser("export", help="把登记数据导出为引擎使用的 Parquet 快照")

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

    def _ingest(self, source, path, as_of, valid_only, **_):
        try:
            day = datetime.date.fromisoformat(as_of)
            content = Path(path).read_bytes()
        except (ValueError, OSError) as exc:
            raise CommandError(f"参数错误：{exc}") from exc
        try:
            upload = services.ingest_file(
                None, source, content, Path(path).name, day, channel="cli", valid_only=valid_only
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

    def _export(self, **_):
        paths = export.export_registry()
        for name, path in paths.items():
            self.stdout.write(f"{name}: {path}")
