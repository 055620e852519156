from django.db import migrations


def load(apps, schema_editor):
    """The credit reason 抽查发现问题逾期未整改 (huimin.orgs.defaults)."""
    from huimin.orgs.defaults import ensure

    ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_defaults")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
