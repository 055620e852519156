"""Backups: pg_dump/pg_restore of the whole database plus a manifest; the encryption keys are NOT in a backup.

The manifest records what a restore must reproduce (the audit chain's last link) and what it needs that the
dump does not carry (the ids of the keys the data is encrypted under), so a restore can prove itself.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils import timezone

from huimin.core import audit, keyrotation
from huimin.core.models import AuditHead


class BackupError(Exception):
    pass


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）")
    return path


def manifest() -> dict:
    head = AuditHead.objects.filter(id=1).first()
    key_ids = sorted({kid for counts in keyrotation.status().values() for kid in counts if kid})
    return {
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "audit_last_seq": head.last_seq if head else 0,
        "audit_last_hash": head.last_hash if head else audit.GENESIS,
        "encryption_key_ids": key_ids,
        "note": "加密密钥不在备份中：恢复时须另行提供 HUIMIN_FIELD_KEYS 与 HUIMIN_BLIND_INDEX_KEY",
    }


def backup(out: Path) -> dict:
    """Write ``out`` (pg_dump custom format, or a SQLite copy) and ``out.manifest.json`` beside it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    info = manifest()
    if connection.vendor == "postgresql":
        cmd = [_require_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(out), *_pg_args(db), str(db["NAME"])]
        result = subprocess.run(cmd, env=_pg_env(db), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
    elif connection.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(str(db["NAME"])) as source, sqlite3.connect(str(out)) as target:
            source.backup(target)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    Path(f"{out}.manifest.json").write_text(json.dumps(info, ensure_ascii=False, indent=2))
    return info


@dataclass
class RestoreResult:
    database_url: str
    manifest: dict


def restore(dump: Path, *, database_url: str) -> RestoreResult:
    """Restore a PostgreSQL dump into the EMPTY database named by ``database_url``."""
    dump = Path(dump)
    if not dump.exists():
        raise BackupError(f"备份文件不存在：{dump}")
    manifest_path = Path(f"{dump}.manifest.json")
    info = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    import dj_database_url

    target = dj_database_url.parse(database_url)
    if "postgresql" not in target["ENGINE"]:
        raise BackupError("恢复目标须为 PostgreSQL 数据库（SQLite 备份直接复制文件即可）")
    psql = _require_tool("psql")
    check = subprocess.run(
        [psql, *_pg_args(target), "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", target["NAME"]],
        env=_pg_env(target),
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        raise BackupError(f"无法连接恢复目标数据库：{check.stderr.strip()}")
    if check.stdout.strip() not in ("", "0"):
        raise BackupError("恢复目标数据库不是空库：为防止覆盖数据，请恢复到新建的空数据库")
    cmd = [_require_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", target["NAME"], *_pg_args(target)]
    result = subprocess.run([*cmd, str(dump)], env=_pg_env(target), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")
    return RestoreResult(database_url, info)


def database_url_for(name: str) -> str:
    """The URL of another database on the same server as the current one (for restore drills)."""
    db = settings.DATABASES["default"]
    auth = quote(str(db.get("USER") or ""))
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]))
    host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"postgres://{auth + '@' if auth else ''}{host}/{name}"
