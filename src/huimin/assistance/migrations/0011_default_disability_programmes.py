"""Loads the 残疾人两项补贴 programmes, the national overlap rules and their separation of duties, 追缴 write-offs
included (huimin.assistance.defaults)."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.assistance.defaults import load_disability, load_write_off_separation

    programme, duty = apps.get_model("assistance", "Programme"), apps.get_model("assistance", "DutySeparation")
    load_disability(programme, apps.get_model("assistance", "OverlapRule"), duty)
    load_write_off_separation(programme, duty)  # 追缴 write-offs need two people here too


class Migration(migrations.Migration):
    dependencies = [("assistance", "0010_disability_subsidies")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
