"""Loads the registers, parameters and 监护风险 items (huimin.children.defaults), and the three 基本生活费 programmes
on the 儿童福利 line with their separation of duties and fund row."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.children import defaults

    get = apps.get_model
    defaults.load(
        get("children", "Category"),
        get("children", "Parameter"),
        get("children", "RiskItem"),
        get("children", "RiskLevel"),
    )
    defaults.load_programmes(
        get("assistance", "Programme"), get("assistance", "DutySeparation"), get("benefits", "ProgrammeFund")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0001_initial"),
        ("assistance", "0015_orphan_institution_kind"),
        ("benefits", "0007_funds_of_disability_subsidies"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
