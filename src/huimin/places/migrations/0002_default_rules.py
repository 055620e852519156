from django.db import migrations


def load(apps, schema_editor):
    from huimin.places.defaults import RULES

    NamingRule = apps.get_model("places", "NamingRule")
    NamingRule.objects.bulk_create(
        NamingRule(kind=kind, value=value, basis=basis, created_by="系统默认") for kind, value, basis in RULES
    )


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
