from django.db import migrations


def load(apps, schema_editor):
    from huimin.eligibility.defaults import ensure

    ensure(apps.get_model("eligibility", "SurvivalPolicy"))


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
