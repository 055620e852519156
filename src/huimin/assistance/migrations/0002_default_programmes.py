"""Loads the default programmes and policy figures (huimin.assistance.defaults)."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.assistance.defaults import load as load_defaults

    load_defaults(apps.get_model("assistance", "Programme"), apps.get_model("assistance", "RegionPolicy"))


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
