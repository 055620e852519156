from django.db import migrations


def load(apps, schema_editor):
    from huimin.monitoring.defaults import RULES

    WarningRule = apps.get_model("monitoring", "WarningRule")
    for row in RULES:
        WarningRule.objects.update_or_create(code=row["code"], defaults={k: v for k, v in row.items() if k != "code"})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
