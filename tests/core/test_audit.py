import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from huimin.core import audit
from huimin.core.context import Actor, acting_as
from huimin.core.models import AuditEntry, Region


def _three_entries():
    region = Region.objects.get(code="411700000000")
    with acting_as(Actor(7, "clerk_a", "clerk", "10.0.0.8")):
        for i in range(3):
            audit.record("test.change", region, before={"n": i}, after={"n": i + 1}, detail=f"第 {i} 次")


def test_entries_chain_by_hash_and_carry_who_when_where(db):
    _three_entries()
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries][-3:] == [entries[-3].seq, entries[-3].seq + 1, entries[-3].seq + 2]
    assert entries[-1].prev_hash == entries[-2].hash
    last = entries[-1]
    assert (last.actor, last.actor_role, last.ip, last.object_id) == ("clerk_a", "clerk", "10.0.0.8", "411700000000")
    assert audit.verify().ok


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")


def test_verify_detects_an_entry_edited_directly_in_the_database(db):
    _three_entries()
    target = AuditEntry.objects.order_by("seq")[1]
    _raw("UPDATE core_auditentry SET detail = %s WHERE seq = %s", ["被篡改", target.seq])
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == target.seq
    with pytest.raises(CommandError, match=f"第 {target.seq} 条"):
        call_command("audit", "verify")


def test_verify_detects_a_deleted_entry_and_a_truncated_tail(db):
    _three_entries()
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    _raw("DELETE FROM core_auditentry WHERE seq = %s", [seqs[-1]])
    assert not audit.verify().ok  # the head row remembers the last link
    _raw("DELETE FROM core_auditentry WHERE seq = %s", [seqs[0]])
    result = audit.verify()
    assert not result.ok and result.broken_seq == seqs[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_update_and_delete_of_entries(db):
    from django.db import DatabaseError, transaction

    _three_entries()
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET detail = 'x'")
    with pytest.raises(PermissionError):
        AuditEntry.objects.order_by("seq").first().delete()


def test_verify_command_reports_an_intact_chain(db, capsys):
    _three_entries()
    call_command("audit", "verify")
    assert "审计链完整" in capsys.readouterr().out


def test_system_admin_cannot_open_the_audit_trail_but_the_auditor_can(users, login):
    assert login(users["sysadmin"]).get("/system/audit/").status_code == 403
    assert login(users["clerk_a"]).get("/system/audit/").status_code == 403
    response = login(users["auditor"]).get("/system/audit/?action=core")
    assert response.status_code == 200
    assert "审计日志" in response.content.decode()


def test_auditor_reads_only_the_audit_trail(users, login):
    client = login(users["auditor"])
    assert client.get("/system/users/").status_code == 403
    assert client.get("/system/regions/").status_code == 403
    assert client.post("/system/audit/verify/").status_code == 302
