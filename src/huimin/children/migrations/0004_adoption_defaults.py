"""Loads the 收养评估 and 寄养家庭评估 items and the 家庭寄养费 programme (huimin.children.defaults), and opens each
registered child's placement history with the placement his register entry records."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.children import defaults

    get = apps.get_model
    defaults.load_assessment_items(get("children", "FamilyAssessmentItem"))
    defaults.load_foster_programme(
        get("assistance", "Programme"), get("assistance", "DutySeparation"), get("benefits", "ProgrammeFund")
    )
    entry, record = get("children", "RegisterEntry"), get("children", "PlacementRecord")
    seen = set(record.objects.values_list("child_id", flat=True))
    rows = []
    for e in entry.objects.filter(status="active").order_by("entered_on", "pk"):
        if e.person_id not in seen:
            seen.add(e.person_id)
            rows.append(record(child_id=e.person_id, kind=e.placement, started_on=e.entered_on,
                               note="依名册记录补录", created_by="系统迁移"))  # fmt: skip
    record.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0003_adoption_foster"),
        ("assistance", "0017_foster_care_kind"),
        ("benefits", "0009_foster_care_standard"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
