import django.db.models.deletion
from django.db import migrations, models

GUARD = """
CREATE OR REPLACE FUNCTION huimin_benefits_keep_children() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'benefits_payrollmonth'
        AND EXISTS (SELECT 1 FROM benefits_payrollline WHERE payroll_id = OLD.id) THEN
        RAISE foreign_key_violation USING MESSAGE = '月度发放已有明细，不能删除';
    END IF;
    IF TG_TABLE_NAME = 'benefits_bankbatch'
        AND EXISTS (SELECT 1 FROM benefits_payment WHERE batch_id = OLD.id) THEN
        RAISE foreign_key_violation USING MESSAGE = '代发批次已有代发记录，不能删除';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER benefits_payrollmonth_keep_lines
    BEFORE DELETE OR UPDATE OF id ON benefits_payrollmonth
    FOR EACH ROW EXECUTE FUNCTION huimin_benefits_keep_children();
CREATE TRIGGER benefits_bankbatch_keep_payments
    BEFORE DELETE OR UPDATE OF id ON benefits_bankbatch
    FOR EACH ROW EXECUTE FUNCTION huimin_benefits_keep_children();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS benefits_payrollmonth_keep_lines ON benefits_payrollmonth;
DROP TRIGGER IF EXISTS benefits_bankbatch_keep_payments ON benefits_bankbatch;
DROP FUNCTION IF EXISTS huimin_benefits_keep_children();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    """Lines → month and payments → batch lose their row-by-row FK checks (over a second per county month at
    commit); the bulk writers take both ids in the same transaction with the parent locked. What the FKs also
    gave — a parent cannot disappear from under its children — stays in the database: on PostgreSQL a trigger
    refuses to delete (or renumber) a month that has lines or a batch that has payments."""

    dependencies = [("benefits", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="benefits.bankbatch",
            ),
        ),
        migrations.AlterField(
            model_name="payrollline",
            name="payroll",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="benefits.payrollmonth",
            ),
        ),
        migrations.RunPython(guard, unguard),
    ]
