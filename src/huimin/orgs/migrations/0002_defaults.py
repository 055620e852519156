from django.db import migrations


def load(apps, schema_editor):
    """The credit lists' reasons and the charity spending ratios (huimin.orgs.defaults)."""
    from huimin.orgs.defaults import ensure

    ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
