from django.db import migrations


def load(apps, schema_editor):
    from huimin.stats import defaults

    defaults.ensure(apps.get_model("stats", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_disability_coverage")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
