from django.db import migrations


def load(apps, schema_editor):
    """The 特殊困难老年人月探访率 indicator (huimin.stats.defaults)."""
    from huimin.stats import defaults

    defaults.ensure(apps.get_model("stats", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("stats", "0006_aged_allowance_coverage"), ("elderly", "0005_visits_defaults")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
