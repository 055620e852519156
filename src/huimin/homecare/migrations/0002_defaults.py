from django.db import migrations


def load(apps, schema_editor):
    from huimin.homecare.defaults import load as load_defaults

    load_defaults(
        apps.get_model("homecare", "Setting"),
        apps.get_model("homecare", "ServiceItem"),
        apps.get_model("homecare", "Price"),
    )


class Migration(migrations.Migration):
    dependencies = [("homecare", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
