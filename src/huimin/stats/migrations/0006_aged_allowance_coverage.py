from django.db import migrations


def load(apps, schema_editor):
    from huimin.stats import defaults

    defaults.ensure(apps.get_model("stats", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("stats", "0005_eldercare_indicators")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
