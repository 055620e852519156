"""Snapshots taken before: the 残疾人证号 (disability.cert_no) and the account number (benefit_account.account_no)
were kept in clear. Each such Parquet file is rewritten with the blind index of the value, as ingestion now
stores it (huimin.engine.sources, ``protect``); the 核对 reports that quoted these records show the digest
the report page now shows."""

import os
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import migrations

from huimin.core import crypto
from huimin.engine.tables import ROW_GROUP_ROWS

PROTECTED = {"disability": ("cert_no", "disability_cert_no"), "benefit_account": ("account_no", "bank_account")}
DIGEST = re.compile(r"^[0-9a-f]{64}$")
REPORT_LABELS = {"残疾人证号": "disability_cert_no", "代发账号": "bank_account"}  # as reports label the fields


def hash_in_place(apps, schema_editor):
    Snapshot = apps.get_model("verification", "Snapshot")
    for snapshot in Snapshot.objects.filter(source__in=PROTECTED).iterator():
        path = Path(snapshot.path)
        if not path.exists():
            continue
        column, kind = PROTECTED[snapshot.source]
        table = pq.read_table(path)
        values = table[column].to_pylist()
        if all(v is None or DIGEST.match(v) for v in values):
            continue
        hashed = [v if v is None or DIGEST.match(v) else crypto.blind_index(kind, v) for v in values]
        table = table.set_column(table.schema.get_field_index(column), column, pa.array(hashed, pa.string()))
        temporary = path.with_suffix(".rewrite")
        pq.write_table(table, temporary, row_group_size=ROW_GROUP_ROWS, compression="zstd")
        os.replace(temporary, path)


def _digest_fields(records: list) -> bool:
    changed = False
    for record in records:
        for field in record.get("fields", []):
            kind = REPORT_LABELS.get(field[0])
            if kind and field[1] and not field[1].startswith("摘要 "):
                field[1] = "摘要 " + crypto.blind_index(kind, field[1])[:12]
                changed = True
    return changed


def digest_report_records(apps, schema_editor):
    Report = apps.get_model("verification", "Report")
    for report in Report.objects.iterator():
        members = any([_digest_fields(m.get("records", [])) for m in report.members])
        reasons = any([_digest_fields(r.get("records", [])) for r in report.reasons])
        if members or reasons:
            report.save(update_fields=["members", "reasons"])


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0005_benefit_account_source"),
    ]

    operations = [
        migrations.RunPython(hash_in_place, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(digest_report_records, migrations.RunPython.noop, elidable=False),
    ]
