from django.db import migrations


def load(apps, schema_editor):
    """The 儿童福利 indicators: the case KPIs, the four registers and 收养登记 (huimin.stats.defaults)."""
    from huimin.stats import defaults

    defaults.ensure(apps.get_model("stats", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("stats", "0008_relief_return_rate"), ("children", "0006_adoption_registry")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
