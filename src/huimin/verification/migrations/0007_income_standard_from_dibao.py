"""The 核对收入标准 stops being a copy of the 低保标准: an ``income_standard`` row now holds a multiple of the 低保标准
in force at the household's place (benefits.Standard). Each existing row (元 per person and month) becomes the
multiple it stood for: its value ÷ the 低保标准 in force on its start date at its region and area, to 0.01; where
no 低保标准 is set, 1 (its old figure is kept in the note)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations, models
from django.db.models import Q

from huimin.core import regions


def _dibao_monthly(standard_model, prefix: str, urban_rural: str, day):
    rows = standard_model.objects.filter(kind="dibao", value__isnull=False, effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )
    if urban_rural:
        rows = rows.filter(area__in=(urban_rural, "all"))
    place = regions.full_code(prefix) if prefix else None
    best = None
    for row in rows:
        if place is not None and not regions.covers(row.region_id, place):
            continue
        # at a place: the most specific row that covers it; with no place (a row for everywhere): the most general
        reach = regions.specificity(row.region_id) if place else -regions.specificity(row.region_id)
        key = regions.precedence(reach, row.effective_from, (row.area != "all",), (row.pk,))
        if best is None or key > best[0]:
            best = (key, row)
    if best is None:
        return None
    row = best[1]
    return row.value / 12 if row.period == "year" else row.value


def to_multiples(apps, schema_editor):
    threshold_model = apps.get_model("verification", "Threshold")
    standard_model = apps.get_model("benefits", "Standard")
    for row in threshold_model.objects.filter(rule="income_standard"):
        prefix = getattr(row, "region_prefix", "") or ""
        dibao = _dibao_monthly(standard_model, prefix, row.urban_rural, row.valid_from)
        if dibao:
            multiple = (row.value / dibao).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        else:
            multiple = Decimal(1)
            row.note = f"{row.note}（原核对收入标准 {row.value} 元/人·月；迁移时未找到低保标准，按 1 倍）"[:200]
        row.value = multiple
        row.save(update_fields=["value", "note"])


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0002_bulk_parent_keys"),
        ("verification", "0006_hash_protected_snapshot_columns"),
    ]

    operations = [
        migrations.AlterField(
            model_name="threshold",
            name="rule",
            field=models.CharField(
                choices=[
                    ("income_standard", "核对收入标准（当地低保标准的倍数）"),
                    ("deposit_months", "人均金融资产上限（核对收入标准的月数）"),
                    ("vehicle_count", "机动车数量上限（辆）"),
                    ("vehicle_value", "机动车总价值上限（元）"),
                    ("dwelling_count", "住宅套数上限（套）"),
                    ("company_count", "存续市场主体数量上限（个）"),
                    ("medical_self_paid", "近12个月个人自付医疗费用提示线（元）"),
                ],
                max_length=30,
                verbose_name="规则",
            ),
        ),
        migrations.RunPython(to_multiples, migrations.RunPython.noop),
    ]
