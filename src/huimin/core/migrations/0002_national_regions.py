from django.db import migrations


def load(apps, schema_editor):
    from huimin.core.region_data import load_national

    load_national(apps.get_model("core", "Region"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
