"""Loads the 残疾人两项补贴 programmes and the national overlap rules (huimin.assistance.defaults)."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.assistance.defaults import load_disability

    load_disability(
        apps.get_model("assistance", "Programme"),
        apps.get_model("assistance", "OverlapRule"),
        apps.get_model("assistance", "DutySeparation"),
    )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0006_disability_subsidies")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
