"""The migrations that take clear 残疾人证号 and account numbers out of data written before issue 15."""

import datetime
from importlib import import_module
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.apps import apps as django_apps
from django.db import connection

from huimin.core import crypto
from huimin.engine.tables import source_schema
from huimin.monitoring.models import Warning
from huimin.registry.models import Household
from huimin.verification.models import Report, Snapshot
from tests.conftest import VILLAGE_A1
from tests.monitoring.matrix_targets import make_warning

pytestmark = pytest.mark.django_db
CERT = "41170219580404011442"
ACCOUNT = "6222020200112233445"


CurrentApps = django_apps  # the running models stand in for the migration's historical ones


def test_older_snapshots_are_rewritten_with_blind_indexes(tmp_path):
    paths = {}
    for code, column, secret in (("disability", "cert_no", CERT), ("benefit_account", "account_no", ACCOUNT)):
        schema = source_schema(code)
        row = {f.name: None for f in schema} | {"person_key": "k", column: secret}
        if code == "disability":
            row |= {"category": "4", "grade": 2, "issued_on": datetime.date(2026, 1, 1), "status": "有效"}
        else:
            row |= {"month": "2026-01", "credited": 100, "withdrawn": 0}
        paths[code] = tmp_path / f"{code}.parquet"
        pq.write_table(pa.Table.from_pylist([row], schema=schema), paths[code])
        Snapshot.objects.create(source=code, as_of=datetime.date(2026, 1, 31), row_count=1, path=str(paths[code]),
                                sha256="0" * 64)  # fmt: skip
    migration = import_module("huimin.verification.migrations.0006_hash_protected_snapshot_columns")
    migration.hash_in_place(CurrentApps, SimpleNamespace(connection=connection))
    assert pq.read_table(paths["disability"])["cert_no"].to_pylist() == [crypto.blind_index("disability_cert_no", CERT)]
    assert pq.read_table(paths["benefit_account"])["account_no"].to_pylist() == [
        crypto.blind_index("bank_account", ACCOUNT)
    ]


def test_older_disability_warnings_get_a_digest_as_record_key(regions):
    warning = make_warning(VILLAGE_A1, rule="new_disability", record_key=CERT)
    migration = import_module("huimin.monitoring.migrations.0005_hash_disability_record_keys")
    migration.hash_record_keys(CurrentApps, SimpleNamespace(connection=connection))
    warning = Warning.objects.get(pk=warning.pk)
    digest = crypto.blind_index("disability_cert_no", CERT)[:12]
    assert warning.record_key == "残疾人证摘要 " + digest and warning.fact_key.endswith(digest)
    assert CERT[:18] not in warning.fact_key


def test_older_reports_quote_a_digest_instead_of_the_numbers(regions):
    household = Household.objects.create(number="R1", region_id=VILLAGE_A1)
    record = {"person": "张三", "fields": [["残疾人证号", CERT], ["代发账号", ACCOUNT], ["残疾等级", "2"]]}
    report = Report.objects.create(household=household, region_id=VILLAGE_A1, programme="dibao",
                                   as_of=datetime.date(2026, 1, 31), conclusion="eligible",
                                   reasons=[{"records": [record]}], members=[{"records": [record]}])  # fmt: skip
    migration = import_module("huimin.verification.migrations.0006_hash_protected_snapshot_columns")
    migration.digest_report_records(CurrentApps, SimpleNamespace(connection=connection))
    report.refresh_from_db()
    for quoted in (report.members[0]["records"][0], report.reasons[0]["records"][0]):
        assert quoted["fields"] == [
            ["残疾人证号", "摘要 " + crypto.blind_index("disability_cert_no", CERT)[:12]],
            ["代发账号", "摘要 " + crypto.blind_index("bank_account", ACCOUNT)[:12]],
            ["残疾等级", "2"],
        ]
