"""The default 发放项目与资金来源 rows of the programmes that came after benefits 0005 (the 残疾人两项补贴)."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.benefits.funds import load_defaults

    load_defaults(apps.get_model("assistance", "Programme"), apps.get_model("benefits", "ProgrammeFund"))


class Migration(migrations.Migration):
    dependencies = [("benefits", "0006_recovery"), ("assistance", "0011_default_disability_programmes")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
