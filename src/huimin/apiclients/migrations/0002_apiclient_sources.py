from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("apiclients", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="sources",
            field=models.JSONField(blank=True, default=list, verbose_name="可报送的部门数据源（核对数据源代码）"),
        ),
    ]
