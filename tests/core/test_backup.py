import datetime
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from huimin.core import audit, backup
from huimin.registry import idnumbers
from huimin.registry.models import Person
from tests.conftest import VILLAGE_A1

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backups are for PostgreSQL")


@pytest.fixture
def empty_database():
    name = f"huimin_restore_{uuid.uuid4().hex[:8]}"
    admin_url = backup.database_url_for("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield backup.database_url_for(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_into_an_empty_database_and_passes_audit_verify(regions, tmp_path, empty_database, capsys):
    person_id = idnumbers.make("411702", datetime.date(1958, 2, 1), 17)
    person = Person.objects.create(name="王五", id_number=person_id, region_id=VILLAGE_A1)
    audit.record("registry.person.create", person)
    dump = tmp_path / "huimin.dump"
    call_command("backup", str(dump))
    assert dump.exists() and (tmp_path / "huimin.dump.manifest.json").exists()

    call_command("restore", str(dump), "--database-url", empty_database)
    out = capsys.readouterr().out
    assert "审计链完整" in out and "恢复完成" in out
    with psycopg.connect(empty_database) as conn:
        token = conn.execute("SELECT id_number FROM registry_person WHERE name = '王五'").fetchone()[0]
    assert token.startswith("v1:") and person_id not in token  # still ciphertext: the keys were not in the dump

    with pytest.raises(CommandError, match="不是空库"):  # never restore over existing data
        call_command("restore", str(dump), "--database-url", empty_database)


def test_restore_of_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore", str(tmp_path / "nope.dump"), "--database-url", backup.database_url_for("x"))
