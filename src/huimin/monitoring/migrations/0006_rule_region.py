import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A warning rule watches a region subtree; the existing rules keep watching the whole deployment."""

    dependencies = [
        ("core", "0002_national_regions"),
        ("monitoring", "0005_hash_disability_record_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="warningrule",
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
    ]
