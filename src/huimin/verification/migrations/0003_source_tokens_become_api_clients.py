"""One token model for every partner: each department upload credential (SourceToken) becomes an API client
granted only ``upload_feed`` on its data sources, keeping its token (the same SHA-256 digest), then the
SourceToken table goes."""

from django.db import migrations


def fold(apps, schema_editor):
    SourceToken = apps.get_model("verification", "SourceToken")
    ApiClient = apps.get_model("apiclients", "ApiClient")
    for cred in SourceToken.objects.order_by("pk"):
        name = f"{cred.department}数据报送（原凭证 {cred.pk}）"[:80]
        ApiClient.objects.create(
            name=name, department=cred.department, token_prefix=f"legacy{cred.pk}"[:12],
            token_hash=cred.token_sha256, operations=["upload_feed"], region_prefixes=[], sources=list(cred.sources),
            is_active=cred.is_active, created_by="migration",
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0002_batch_enrolled_only"),
        ("apiclients", "0002_apiclient_sources"),
    ]

    operations = [
        migrations.RunPython(fold, migrations.RunPython.noop),
        migrations.DeleteModel(name="SourceToken"),
    ]
