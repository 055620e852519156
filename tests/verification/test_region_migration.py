"""The migration that turns the thresholds' and batch runs' bare code prefixes into Regions converts the rows
already there: a prefix becomes its region, an empty prefix (everywhere) no region, and a page upload keeps its
uploader's region."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("verification", "0007_income_standard_from_dibao")]
AFTER = [("verification", "0008_threshold_batch_snapshot_region")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_all():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_prefixes_become_regions(users):
    old = _migrate(BEFORE)
    try:
        Threshold = old.get_model("verification", "Threshold")
        BatchRun = old.get_model("verification", "BatchRun")
        common = {
            "programme": "dibao",
            "rule": "income_standard",
            "value": 600,
            "valid_from": datetime.date(2020, 1, 1),
        }
        county = Threshold.objects.create(region_prefix="411702", **common).pk
        everywhere = Threshold.objects.create(region_prefix="", **common).pk
        run = BatchRun.objects.create(programme="dibao", as_of=datetime.date(2026, 6, 30), region_prefix="4117").pk
    finally:
        new = _migrate(AFTER)
        _migrate_all()  # going back to 0007 also unapplied the apps that depend on 0008 (待遇资格's notices)
    Threshold = new.get_model("verification", "Threshold")
    BatchRun = new.get_model("verification", "BatchRun")
    assert Threshold.objects.get(pk=county).region_id == "411702000000"
    assert Threshold.objects.get(pk=everywhere).region_id is None
    assert BatchRun.objects.get(pk=run).region_id == "411700000000"
