from django.db import migrations


def load(apps, schema_editor):
    """Parameters, the 特殊困难老年人 categories and the item table of GB/T 42195-2022 (huimin.elderly.defaults)."""
    from huimin.elderly.defaults import ensure

    ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("elderly", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
