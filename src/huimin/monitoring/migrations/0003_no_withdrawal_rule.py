from django.db import migrations


def load(apps, schema_editor):
    """Add the 资金长期未支取 default rule (backed by the bank's benefit_account statements) where it is missing;
    rules a bureau has edited stay as they are."""
    from huimin.monitoring.defaults import RULES

    WarningRule = apps.get_model("monitoring", "WarningRule")
    for row in RULES:
        if row["code"] == "no_withdrawal":
            WarningRule.objects.get_or_create(code=row["code"], defaults={k: v for k, v in row.items() if k != "code"})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_default_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
