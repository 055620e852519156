"""Loads the default 发放项目与资金来源 rows (huimin.benefits.funds.DEFAULTS) for the programmes that exist."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.benefits.funds import load_defaults

    load_defaults(apps.get_model("assistance", "Programme"), apps.get_model("benefits", "ProgrammeFund"))


class Migration(migrations.Migration):
    dependencies = [("benefits", "0004_payroll_all_programmes")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
