"""Sets the default 职责分离 rules (huimin.assistance.defaults.DUTY_SEPARATION) on every existing programme."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.assistance.defaults import load_duty_separation

    load_duty_separation(apps.get_model("assistance", "Programme"), apps.get_model("assistance", "DutySeparation"))


class Migration(migrations.Migration):
    dependencies = [("assistance", "0003_duty_separation_and_verification_check")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
