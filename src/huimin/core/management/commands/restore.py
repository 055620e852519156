import os
import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.core import backup


class Command(BaseCommand):
    help = "把 pg_dump 备份恢复到一个新建的空 PostgreSQL 数据库，并校验审计链与清单一致"

    def add_arguments(self, parser):
        parser.add_argument("file", help="huimin backup 生成的备份文件")
        parser.add_argument(
            "--database-url", required=True, help="恢复目标（必须是空库），如 postgres://…/huimin_restore"
        )

    def handle(self, *args, file, database_url, **options):
        try:
            result = backup.restore(Path(file), database_url=database_url)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("数据已恢复，正在校验审计链……")
        # verify in a fresh process bound to the restored database, exactly as an operator would
        env = {**os.environ, "DATABASE_URL": database_url}
        verify = subprocess.run(
            [sys.executable, "-m", "huimin", "audit", "verify"], env=env, capture_output=True, text=True
        )
        if verify.returncode != 0:
            raise CommandError(f"恢复后的审计链校验失败：{verify.stderr.strip() or verify.stdout.strip()}")
        self.stdout.write(verify.stdout.strip())
        expected = result.manifest.get("audit_last_seq")
        if expected is not None and f"已校验 {expected} 条" not in verify.stdout:
            raise CommandError(f"恢复后的审计记录数与备份清单（{expected} 条）不符")
        keys = result.manifest.get("encryption_key_ids", [])
        self.stdout.write(f"恢复完成。请确认 HUIMIN_FIELD_KEYS 含有密钥：{', '.join(keys) or '无'}")
