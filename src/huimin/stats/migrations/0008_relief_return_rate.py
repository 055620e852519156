from django.db import migrations


def load(apps, schema_editor):
    """The 流浪乞讨人员接送返回率 indicator (huimin.stats.defaults)."""
    from huimin.stats import defaults

    defaults.ensure(apps.get_model("stats", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("stats", "0007_elderly_visit_rate"), ("relief", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
