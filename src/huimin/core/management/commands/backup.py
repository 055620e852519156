from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.core import audit, backup


class Command(BaseCommand):
    help = "备份整个数据库（PostgreSQL 用 pg_dump 自定义格式）并写出清单；加密密钥不在备份中，须另行保管"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件路径，例如 /backup/huimin-20261123.dump")

    def handle(self, *args, file, **options):
        try:
            info = backup.backup(Path(file))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        audit.record("core.backup", detail=f"备份至 {file}，审计链尾 #{info['audit_last_seq']}")
        self.stdout.write(f"备份完成：{file}（清单 {file}.manifest.json）")
        self.stdout.write(
            f"数据使用的加密密钥：{', '.join(info['encryption_key_ids']) or '无'}——请确认这些密钥另有安全备份"
        )
