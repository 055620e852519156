from django.db import migrations

FORBID_CHANGE = """
CREATE OR REPLACE FUNCTION huimin_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION huimin_audit_append_only();
"""
ALLOW_CHANGE = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS huimin_audit_append_only();
"""


def create_head(apps, schema_editor):
    apps.get_model("core", "AuditHead").objects.get_or_create(id=1)


def forbid_change(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID_CHANGE)


def allow_change(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_CHANGE)


class Migration(migrations.Migration):
    """The chain's head row exists from the start (appends lock it), and on PostgreSQL the database itself
    refuses UPDATE and DELETE of audit entries; ``huimin audit verify`` catches what gets past that."""

    dependencies = [("core", "0002_national_regions")]
    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(forbid_change, allow_change),
    ]
