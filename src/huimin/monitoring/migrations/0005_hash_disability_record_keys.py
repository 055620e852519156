"""Warnings of 新办残疾人证 named their source record by the 残疾人证号 in clear (it begins with the ID number).
They now name it by a digest of its blind index, as the engine does (huimin.engine.monitoring.disability); the
fact key changes with it, so a later run recognises the warning it already raised."""

from django.db import migrations

from huimin.core import crypto

LABEL = "残疾人证摘要 "
DIGEST_CHARS = 12


def hash_record_keys(apps, schema_editor):
    Warning = apps.get_model("monitoring", "Warning")
    changed = []
    for warning in Warning.objects.filter(rule__kind="disability").exclude(record_key="").select_related("rule"):
        if warning.record_key.startswith(LABEL):
            continue
        digest = crypto.blind_index("disability_cert_no", warning.record_key)
        warning.record_key = LABEL + digest[:DIGEST_CHARS]
        warning.fact_key = (f"{warning.rule.code}:{warning.person_id}:{warning.household_id}:{warning.record_key}")[
            :200
        ]
        changed.append(warning)
    Warning.objects.bulk_update(changed, ["record_key", "fact_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_run_worker_heartbeat"),
    ]

    operations = [
        migrations.RunPython(hash_record_keys, migrations.RunPython.noop, elidable=False),
    ]
