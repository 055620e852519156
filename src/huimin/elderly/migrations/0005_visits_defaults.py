from django.db import migrations


def load(apps, schema_editor):
    """The 探访关爱 risk tiers and city-wide frequencies (huimin.elderly.visit_defaults)."""
    from huimin.elderly.visit_defaults import ensure

    ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("elderly", "0004_visits")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
