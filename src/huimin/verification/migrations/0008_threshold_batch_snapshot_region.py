"""Thresholds and batch runs reference a Region instead of a bare code prefix; snapshots carry the region of
the staff member who uploaded them (a department's feed stays valid everywhere)."""

import django.db.models.deletion
from django.db import migrations, models

from huimin.core import regions


def _region_code(prefix: str) -> str | None:
    prefix = (prefix or "").strip()
    if not prefix:
        return None
    try:
        return regions.normalize_code(prefix)
    except regions.RegionCodeError as exc:
        raise RuntimeError(f"区划前缀“{prefix}”不是 2、4、6、9 或 12 位的区划代码前缀，请先改正后再迁移") from exc


def prefixes_to_regions(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    for model_name in ("Threshold", "BatchRun"):
        model = apps.get_model("verification", model_name)
        for prefix in model.objects.values_list("region_prefix", flat=True).distinct():
            code = _region_code(prefix)
            if code is None:
                continue
            if not Region.objects.filter(code=code).exists():
                raise RuntimeError(f"区划前缀“{prefix}”对应的区划 {code} 不存在，请先导入该区划后再迁移")
            model.objects.filter(region_prefix=prefix).update(region_id=code)
    # snapshots uploaded on the page by staff hold their uploader's subtree; the others hold everywhere
    Snapshot = apps.get_model("verification", "Snapshot")
    for snapshot in Snapshot.objects.filter(uploaded_by__isnull=False, assist_request__isnull=True).select_related(
        "uploaded_by"
    ):
        region_id = snapshot.uploaded_by.region_id
        if region_id and Region.objects.filter(code=region_id, parent__isnull=False).exists():
            Snapshot.objects.filter(pk=snapshot.pk).update(region_id=region_id)


def regions_to_prefixes(apps, schema_editor):
    for model_name in ("Threshold", "BatchRun"):
        model = apps.get_model("verification", model_name)
        for row in model.objects.exclude(region=None).select_related("region"):
            level_length = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}[row.region.level]
            model.objects.filter(pk=row.pk).update(region_prefix=row.region_id[:level_length])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_national_regions"),
        ("verification", "0007_income_standard_from_dibao"),
    ]

    operations = [
        migrations.AddField(
            model_name="threshold",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="适用区划（空为全部）",
            ),
        ),
        migrations.AddField(
            model_name="batchrun",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="范围（区划）",
            ),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="适用区划（空为全部）",
            ),
        ),
        migrations.RunPython(prefixes_to_regions, regions_to_prefixes),
        migrations.AlterModelOptions(
            name="threshold",
            options={
                "ordering": ["programme", "rule", "region_id", "-valid_from"],
                "verbose_name": "核对规则阈值",
                "verbose_name_plural": "核对规则阈值",
            },
        ),
        migrations.RemoveField(model_name="threshold", name="region_prefix"),
        migrations.RemoveField(model_name="batchrun", name="region_prefix"),
    ]
